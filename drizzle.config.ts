import { defineConfig } from 'drizzle-kit'

// Migrations are generated from app/db/schema.ts; they run on PostgreSQL 15+
// and on PGlite alike, so keep them to plain SQL both understand.
export default defineConfig({
  dialect: 'postgresql',
  schema: './app/db/schema.ts',
  out: './drizzle',
})
