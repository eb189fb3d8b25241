/**
 * Creates an administrator on a real deployment:
 *
 *   ADMIN_PASSWORD=… npm run admin:create -- --email you@vendor.com --name "Your Name"
 *   npm run admin:create -- --email you@vendor.com --name "Your Name"   (asks for the password)
 *
 * Uses DATABASE_URL (or the embedded database under DATA_DIR) and runs the
 * migrations first. The password is never taken from the command line, where
 * it would end up in shell history and process listings.
 */
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { getDatabaseHandle } from '../app/db/client.server'
import { NameField } from '../app/modules/accounts/accounts.schema'
import { createAdminAccount } from '../app/modules/accounts/accounts.server'
import { EnvError, parseEnv } from '../app/utils/env.server'
import { EmailField } from '../app/utils/forms'
import { connectForScript } from './db-connect'

async function readPassword(): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD
  if (process.stdin.isTTY) {
    process.stdout.write('Password for the new admin (12–128 characters, input hidden): ')
    process.stdin.setRawMode(true)
    return new Promise((resolve) => {
      let value = ''
      process.stdin.on('data', (chunk) => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n') {
            process.stdin.setRawMode(false)
            process.stdout.write('\n')
            process.stdin.pause()
            return resolve(value)
          }
          if (char === '\u0003') process.exit(130)
          if (char === '\u007f') value = value.slice(0, -1)
          else value += char
        }
      })
    })
  }
  // Piped: the first line of standard input.
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? ''
}

async function main() {
  const { values } = parseArgs({
    options: { email: { type: 'string' }, name: { type: 'string' }, organization: { type: 'string' } },
  })
  const args = z
    .object({ email: EmailField, name: NameField, organization: z.string().trim().min(1).max(120).optional() })
    .safeParse(values)
  if (!args.success) {
    console.error('Usage: npm run admin:create -- --email EMAIL --name NAME [--organization "Vendor name"]')
    for (const issue of args.error.issues) console.error(`  --${issue.path.join('.')}: ${issue.message}`)
    process.exit(2)
  }
  const env = parseEnv(process.env)
  const password = await readPassword()

  await connectForScript(env, { poolSize: 2 })
  try {
    const result = await createAdminAccount({
      email: args.data.email,
      name: args.data.name,
      password,
      organizationName: args.data.organization,
    })
    if (!result.ok) {
      console.error(`Could not create the admin: ${result.message}`)
      process.exitCode = 1
      return
    }
    console.info(`Created admin ${args.data.email}. Sign in at ${env.PUBLIC_URL}/login`)
  } finally {
    await getDatabaseHandle().close()
  }
}

main().catch((error) => {
  if (error instanceof EnvError) console.error(error.message)
  else console.error(error)
  process.exit(1)
})
