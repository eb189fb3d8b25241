/**
 * Switchboard's database schema, shared by PostgreSQL (postgres.js) and the
 * embedded PGlite. `npm run db:generate` turns changes here into SQL
 * migrations under `drizzle/`; never edit those by hand.
 *
 * Conventions: text ids are random (see `newId`), timestamps are
 * `timestamptz`, and every table that later features read by time has an
 * index on the column they filter by. Constraints back up the domain checks
 * so a race can never store what a command refused.
 */
import { sql } from 'drizzle-orm'
import {
  type AnyPgColumn,
  bigint,
  boolean,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  // postgres.js hands back a Buffer, PGlite a Uint8Array: normalise to Uint8Array.
  fromDriver: (value) => new Uint8Array(value),
})

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
const at = (name: string) => timestamp(name, { withTimezone: true })

export const roleEnum = pgEnum('role', ['customer', 'support', 'admin'])
export type Role = (typeof roleEnum.enumValues)[number]

// ---------------------------------------------------------------------------
// Organizations and people

export const organizations = pgTable('organizations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** True for the vendor's own organization (its support engineers and admins). */
  isVendor: boolean('is_vendor').notNull().default(false),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('organizations_name_lower_key').on(sql`lower(${t.name})`)])

/** Email domains whose owners may sign up into an organization on their own. */
export const organizationDomains = pgTable('organization_domains', {
  domain: text('domain').primaryKey(),
  organizationId: text('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  createdAt: createdAt(),
}, (t) => [index('organization_domains_org_idx').on(t.organizationId)])

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  organizationId: text('organization_id')
    .notNull()
    .references(() => organizations.id),
  /** Stored lower-cased; unique. */
  email: text('email').notNull(),
  name: text('name').notNull(),
  role: roleEnum('role').notNull().default('customer'),
  active: boolean('active').notNull().default(true),
  /** argon2id PHC string. */
  passwordHash: text('password_hash').notNull(),
  /** "Support may introduce me to other customers" (introductions issue). */
  introductionsEnabled: boolean('introductions_enabled').notNull().default(true),
  /** Address shared once an introduction connects; the account email when null. */
  contactEmail: text('contact_email'),
  lastSignInAt: at('last_sign_in_at'),
  createdAt: createdAt(),
  updatedAt: at('updated_at').notNull().defaultNow(),
}, (t) => [
  uniqueIndex('users_email_key').on(t.email),
  index('users_organization_idx').on(t.organizationId),
])

// ---------------------------------------------------------------------------
// Sessions (see app/modules/auth/session.server.ts for the model)

export const sessions = pgTable('sessions', {
  id: text('id').primaryKey(),
  /** SHA-256 of the token's secret half; the secret itself is never stored. */
  secretHash: bytea('secret_hash').notNull(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  createdAt: createdAt(),
  lastSeenAt: at('last_seen_at').notNull().defaultNow(),
  expiresAt: at('expires_at').notNull(),
  userAgent: text('user_agent'),
  ipAddress: text('ip_address'),
}, (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)])

// ---------------------------------------------------------------------------
// Single-use links: invitations, sign-up confirmation, password reset, email change

export const invitations = pgTable('invitations', {
  id: text('id').primaryKey(),
  /** SHA-256 of the token in the emailed link. */
  tokenHash: bytea('token_hash').notNull(),
  email: text('email').notNull(),
  organizationId: text('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  role: roleEnum('role').notNull(),
  invitedById: text('invited_by_id').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  expiresAt: at('expires_at').notNull(),
  acceptedAt: at('accepted_at'),
  acceptedUserId: text('accepted_user_id').references(() => users.id, { onDelete: 'set null' }),
  revokedAt: at('revoked_at'),
}, (t) => [
  uniqueIndex('invitations_token_key').on(t.tokenHash),
  index('invitations_org_idx').on(t.organizationId),
  index('invitations_email_idx').on(t.email),
])

export const emailTokenPurposeEnum = pgEnum('email_token_purpose', [
  'sign_up',
  'password_reset',
  'email_change',
])
export type EmailTokenPurpose = (typeof emailTokenPurposeEnum.enumValues)[number]

/** One table for every other emailed single-use link; only a hash of the token is kept. */
export const emailTokens = pgTable('email_tokens', {
  id: text('id').primaryKey(),
  tokenHash: bytea('token_hash').notNull(),
  purpose: emailTokenPurposeEnum('purpose').notNull(),
  /** The address the link was sent to (the new address for an email change). */
  email: text('email').notNull(),
  /** Set for password resets and email changes; null for a sign-up. */
  userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
  /** For a sign-up: the organization the allowed domain belongs to. */
  organizationId: text('organization_id').references(() => organizations.id, {
    onDelete: 'cascade',
  }),
  createdAt: createdAt(),
  expiresAt: at('expires_at').notNull(),
  usedAt: at('used_at'),
}, (t) => [
  uniqueIndex('email_tokens_token_key').on(t.tokenHash),
  index('email_tokens_user_idx').on(t.userId),
])

/**
 * Rate-limit buckets (app/utils/rate-limit.server.ts), shared by every app
 * process: one row per limited thing ("reply:<user id>", "sign-in-ip:<ip>",
 * "security-email:<address>"…), counting `points` used in a fixed window that
 * ends at `resetAt`. Rows past `resetAt` are dead and pruned.
 */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull(),
  resetAt: at('reset_at').notNull(),
}, (t) => [index('rate_limits_reset_at_idx').on(t.resetAt)])

// ---------------------------------------------------------------------------
// Email outbox: written in the same transaction as the change it reports, then
// delivered after commit. Without SMTP the messages stay here for admins to read.

export const outboxStatusEnum = pgEnum('outbox_status', ['pending', 'sending', 'sent', 'kept', 'failed'])

export const outbox = pgTable('outbox', {
  id: text('id').primaryKey(),
  /** Makes a retried request queue the same message only once. */
  dedupeKey: text('dedupe_key').notNull(),
  toAddress: text('to_address').notNull(),
  subject: text('subject').notNull(),
  text: text('text').notNull(),
  html: text('html').notNull(),
  status: outboxStatusEnum('status').notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  claimedAt: at('claimed_at'),
  /** The process that claimed it last (jobs.server.ts `processLabel`), for operators and multi-process tests. */
  claimedBy: text('claimed_by'),
  /** A failed attempt waits until then (backoff); null: at once. */
  nextAttemptAt: at('next_attempt_at'),
  lastError: text('last_error'),
  createdAt: createdAt(),
  sentAt: at('sent_at'),
}, (t) => [
  uniqueIndex('outbox_dedupe_key').on(t.dedupeKey),
  index('outbox_status_idx').on(t.status, t.createdAt),
  index('outbox_created_idx').on(t.createdAt),
])

// ---------------------------------------------------------------------------
// Background jobs (app/modules/jobs/jobs.server.ts, decision 0015): claimed
// with FOR UPDATE SKIP LOCKED, so each runs in one process; the unique key
// makes a periodic job (one per hour, one per day) exist once per period.

export const jobStateEnum = pgEnum('job_state', ['pending', 'running', 'done', 'failed'])

export const jobs = pgTable('jobs', {
  id: text('id').primaryKey(),
  /** Which handler runs it ('digest', 'maintenance', …). */
  kind: text('kind').notNull(),
  /** Unique: scheduling the same key again does nothing ('digest:2026-12-04'). */
  key: text('key').notNull(),
  payload: jsonb('payload').notNull().default({}),
  state: jobStateEnum('state').notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  maxAttempts: integer('max_attempts').notNull().default(5),
  /** Not claimed before this (backoff after a failure). */
  runAt: at('run_at').notNull().defaultNow(),
  /** The process running it, or that ran it last. */
  lockedBy: text('locked_by'),
  /** A running job claimed longer ago than its lease is taken as abandoned (its process died). */
  lockedAt: at('locked_at'),
  lastError: text('last_error'),
  finishedAt: at('finished_at'),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('jobs_key').on(t.key), index('jobs_due_idx').on(t.state, t.runAt)])

// ---------------------------------------------------------------------------
// Audit log: who did what, when. Written in the transaction of the action.

export const auditLog = pgTable('audit_log', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  actorId: text('actor_id').references(() => users.id, { onDelete: 'set null' }),
  action: text('action').notNull(),
  subjectType: text('subject_type'),
  subjectId: text('subject_id'),
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  at: at('at').notNull().defaultNow(),
}, (t) => [
  // The log's pages read newest first with the id as tie-break (keyset, decision 0021).
  index('audit_log_at_idx').on(t.at, t.id),
  index('audit_log_actor_idx').on(t.actorId, t.at),
  index('audit_log_action_idx').on(t.action, t.at),
])

// ---------------------------------------------------------------------------
// Catalog: the vendor's products and their versions

export const products = pgTable('products', {
  id: text('id').primaryKey(),
  slug: text('slug').notNull(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('products_slug_key').on(t.slug)])

export const productVersions = pgTable('product_versions', {
  id: text('id').primaryKey(),
  productId: text('product_id')
    .notNull()
    .references(() => products.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  releasedOn: text('released_on'),
  retiredAt: at('retired_at'),
  sortOrder: integer('sort_order').notNull().default(0),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('product_versions_product_name_key').on(t.productId, t.name)])

/** Key/value settings an admin can change at run time (e.g. public reading). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
})


// ---------------------------------------------------------------------------
// Posts: problems, workarounds, success stories and migration plans share one
// table (one id space, one conversation model, one search document shape);
// columns that belong to one kind are null for the others.

export const postKindEnum = pgEnum('post_kind', ['problem', 'workaround', 'story', 'migration'])
export type PostKind = (typeof postKindEnum.enumValues)[number]
export const problemStateEnum = pgEnum('problem_state', ['open', 'answered', 'solved'])
export type ProblemState = (typeof problemStateEnum.enumValues)[number]
/**
 * Who may read a post: community (every signed-in user), private (the author,
 * the members of their organization they chose — `post_readers` — and
 * support), staff (support; the author keeps reading their own post).
 */
export const visibilityEnum = pgEnum('visibility', ['community', 'staff', 'private'])
export type Visibility = (typeof visibilityEnum.enumValues)[number]
export const migrationStatusEnum = pgEnum('migration_status', [
  'planned',
  'in_progress',
  'done',
  'postponed',
  'rolled_back',
])
export type MigrationStatus = (typeof migrationStatusEnum.enumValues)[number]

export const posts = pgTable('posts', {
  id: text('id').primaryKey(),
  kind: postKindEnum('kind').notNull(),
  authorId: text('author_id')
    .notNull()
    .references(() => users.id),
  /** The author's organization when posting (radar, quiet customers). */
  organizationId: text('organization_id')
    .notNull()
    .references(() => organizations.id),
  productId: text('product_id')
    .notNull()
    .references(() => products.id),
  /** Workarounds: the problem they solve. */
  problemId: text('problem_id').references((): AnyPgColumn => posts.id, { onDelete: 'cascade' }),
  /** Null for workarounds, which are shown under their problem. */
  title: text('title'),
  /** Markdown source; rendered and sanitized on display. */
  body: text('body').notNull(),
  /** Problems: open → answered → solved. */
  state: problemStateEnum('state'),
  visibility: visibilityEnum('visibility').notNull().default('community'),
  // Workarounds
  acceptedAt: at('accepted_at'),
  acceptedById: text('accepted_by_id').references(() => users.id),
  verifiedAt: at('verified_at'),
  verifiedById: text('verified_by_id').references(() => users.id),
  // Success stories: the problem overcome or the migration completed
  relatedPostId: text('related_post_id').references((): AnyPgColumn => posts.id, { onDelete: 'set null' }),
  // Migration plans
  fromVersionId: text('from_version_id').references(() => productVersions.id),
  toVersionId: text('to_version_id').references(() => productVersions.id),
  windowStart: date('window_start'),
  windowEnd: date('window_end'),
  migrationStatus: migrationStatusEnum('migration_status'),
  // Moderation and edits
  hiddenAt: at('hidden_at'),
  hiddenById: text('hidden_by_id').references(() => users.id),
  hiddenReason: text('hidden_reason'),
  editedAt: at('edited_at'),
  // Kept in step by the commands, in the same transaction
  meTooCount: integer('me_too_count').notNull().default(0),
  replyCount: integer('reply_count').notNull().default(0),
  /** First reply or workaround by someone other than the author (support queue). */
  firstResponseAt: at('first_response_at'),
  /** Support engineer who took the problem ("assign to me"). */
  assignedToId: text('assigned_to_id').references(() => users.id),
  /** A form's one-time key: a double-submitted form creates one post. */
  submissionKey: text('submission_key'),
  /** The record's id in an imported file (`npm run import`): re-running an import updates, never duplicates. */
  importKey: text('import_key'),
  createdAt: createdAt(),
  updatedAt: at('updated_at').notNull().defaultNow(),
  lastActivityAt: at('last_activity_at').notNull().defaultNow(),
  // Workarounds: a copy of their problem's visibility, hiding and author, so
  // lists check a workaround's visibility on its own row instead of looking
  // its problem up per row (decision 0021). Kept in step by the
  // `posts_problem_copy` triggers (drizzle/…_queries_problem_copy.sql) in
  // the writing transaction, whoever writes; null for other kinds.
  problemVisibility: visibilityEnum('problem_visibility'),
  problemHiddenAt: at('problem_hidden_at'),
  problemAuthorId: text('problem_author_id'),
}, (t) => [
  uniqueIndex('posts_import_key').on(t.importKey),
  // Lists (home, product, person pages) leave hidden posts out and read
  // newest activity first with the id as tie-break (keyset pagination):
  // one partial index per filter they offer, so a page reads about a page
  // of rows whatever the hub's size (decision 0021).
  index('posts_listed_activity_idx').on(t.lastActivityAt, t.id).where(sql`${t.hiddenAt} is null`),
  index('posts_listed_kind_activity_idx').on(t.kind, t.lastActivityAt, t.id).where(sql`${t.hiddenAt} is null`),
  index('posts_listed_product_activity_idx').on(t.productId, t.lastActivityAt, t.id).where(sql`${t.hiddenAt} is null`),
  index('posts_listed_product_kind_activity_idx').on(t.productId, t.kind, t.lastActivityAt, t.id).where(sql`${t.hiddenAt} is null`),
  index('posts_listed_author_activity_idx').on(t.authorId, t.lastActivityAt, t.id).where(sql`${t.hiddenAt} is null`),
  index('posts_listed_state_activity_idx')
    .on(t.state, t.lastActivityAt, t.id)
    .where(sql`${t.kind} = 'problem' and ${t.hiddenAt} is null`),
  index('posts_listed_product_state_activity_idx')
    .on(t.productId, t.state, t.lastActivityAt, t.id)
    .where(sql`${t.kind} = 'problem' and ${t.hiddenAt} is null`),
  // Product page: stories newest first, migrations by window.
  index('posts_listed_product_kind_created_idx').on(t.productId, t.kind, t.createdAt, t.id).where(sql`${t.hiddenAt} is null`),
  // Support queue: unanswered problems oldest first; metrics: problems logged in a window.
  index('posts_waiting_idx')
    .on(t.createdAt, t.id)
    .where(sql`${t.kind} = 'problem' and ${t.hiddenAt} is null and ${t.firstResponseAt} is null`),
  index('posts_problems_created_idx').on(t.createdAt).where(sql`${t.kind} = 'problem' and ${t.hiddenAt} is null`),
  // Queue metrics on a clock in the past: problems answered after it still waited then.
  index('posts_problems_first_response_idx').on(t.firstResponseAt).where(sql`${t.kind} = 'problem' and ${t.hiddenAt} is null`),
  index('posts_problem_idx').on(t.problemId),
  index('posts_author_idx').on(t.authorId, t.createdAt),
  index('posts_organization_idx').on(t.organizationId, t.createdAt),
  index('posts_to_version_idx').on(t.toVersionId),
  index('posts_updated_idx').on(t.updatedAt),
  // At most one accepted workaround per problem, whatever races happen.
  uniqueIndex('posts_one_accepted_per_problem').on(t.problemId).where(sql`${t.acceptedAt} is not null`),
  uniqueIndex('posts_submission_key').on(t.authorId, t.submissionKey),
])

/**
 * The people of the author's organization a private post is shared with,
 * chosen by the author (or none). A private problem's workarounds are read
 * with it (see `visibleTo`). Kept when support makes the post staff-only,
 * so making it private again restores who was chosen.
 */
export const postReaders = pgTable('post_readers', {
  postId: text('post_id')
    .notNull()
    .references(() => posts.id, { onDelete: 'cascade' }),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.postId, t.userId] }), index('post_readers_user_idx').on(t.userId)])

/**
 * What a problem says, as a vector (app/modules/search/meaning.server.ts):
 * similar problems are ranked by meaning as well as by shared words. Kept
 * with the model and a hash of the text it came from, so a vector of an
 * older text or another model is made again, and with the post's
 * `updated_at` when it was checked, so a post changed since is checked again.
 */
export const postMeanings = pgTable('post_meanings', {
  postId: text('post_id')
    .primaryKey()
    .references(() => posts.id, { onDelete: 'cascade' }),
  model: text('model').notNull(),
  textHash: text('text_hash').notNull(),
  /** Float32 values, little-endian. */
  vector: bytea('vector').notNull(),
  postUpdatedAt: timestamp('post_updated_at', { withTimezone: true }).notNull(),
})

/**
 * Which process is encoding a problem's meaning (meaning.server.ts): a
 * claim for one version of the post (its `updated_at`), held until `until`,
 * so processes catching up never encode the same version twice.
 */
export const meaningClaims = pgTable('meaning_claims', {
  postId: text('post_id')
    .primaryKey()
    .references(() => posts.id, { onDelete: 'cascade' }),
  holder: text('holder').notNull(),
  postUpdatedAt: timestamp('post_updated_at', { withTimezone: true }).notNull(),
  until: timestamp('until', { withTimezone: true }).notNull(),
})

/**
 * Similar problems, stored (app/modules/search/similar-problems.server.ts):
 * worked out after a problem or one of its neighbours changes, read by the
 * problem page and filtered by what the viewer may see then. Ranked as the
 * support team sees them (staff-only posts included), so a reader's list is
 * this one with what they may not see left out.
 */
export const similarProblems = pgTable('similar_problems', {
  postId: text('post_id')
    .notNull()
    .references(() => posts.id, { onDelete: 'cascade' }),
  similarId: text('similar_id')
    .notNull()
    .references(() => posts.id, { onDelete: 'cascade' }),
  /** 0 = best; solved ones come first, as `similarPosts` orders them. */
  rank: integer('rank').notNull(),
  score: doublePrecision('score').notNull(),
}, (t) => [primaryKey({ columns: [t.postId, t.similarId] }), index('similar_problems_similar_idx').on(t.similarId)])

/** When a problem's stored similar list was worked out, and whether a change since made it stale. */
export const similarRefresh = pgTable('similar_refresh', {
  postId: text('post_id')
    .primaryKey()
    .references(() => posts.id, { onDelete: 'cascade' }),
  computedAt: at('computed_at'),
  /** Bumped by every change that makes the list stale; a refresh that began before the last bump stays stale. */
  generation: integer('generation').notNull().default(0),
  computedGeneration: integer('computed_generation').notNull().default(-1),
}, (t) => [index('similar_refresh_stale_idx').on(t.postId).where(sql`${t.computedGeneration} < ${t.generation}`)])

/** Versions a post concerns: a problem's affected versions, a story's versions. */
export const postVersions = pgTable('post_versions', {
  postId: text('post_id')
    .notNull()
    .references(() => posts.id, { onDelete: 'cascade' }),
  versionId: text('version_id')
    .notNull()
    .references(() => productVersions.id),
}, (t) => [primaryKey({ columns: [t.postId, t.versionId] }), index('post_versions_version_idx').on(t.versionId)])

export const postTags = pgTable('post_tags', {
  postId: text('post_id')
    .notNull()
    .references(() => posts.id, { onDelete: 'cascade' }),
  tag: text('tag').notNull(),
}, (t) => [primaryKey({ columns: [t.postId, t.tag] }), index('post_tags_tag_idx').on(t.tag)])

/** A PostgreSQL transaction id (64-bit, never wraps), read and written as its decimal text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' })

/**
 * The change log of the search index (docs/decisions/0016): one row per post
 * written, by a trigger on `posts`, `post_tags` and `post_versions` in the
 * writing transaction (drizzle/*_propagation_change_log_triggers.sql), so no
 * writer, not even plain SQL, can change a post without a row here. Every
 * app process reads it from its own position: the transaction id tells which
 * rows may still be joined by a transaction that commits late. Pruned after
 * a few days (search-index.server.ts).
 */
export const postChanges = pgTable('post_changes', {
  seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  postId: text('post_id').notNull(),
  /** The writing transaction (pg_current_xact_id()): rows are read by transaction, not by any clock. */
  tx: xid8('tx').notNull().default(sql`pg_current_xact_id()`),
  /** The database's time of the write: for pruning and "how far behind", never for ordering. */
  at: at('at').notNull().defaultNow(),
}, (t) => [index('post_changes_tx_idx').on(t.tx, t.seq), index('post_changes_at_idx').on(t.at)])

export const replies = pgTable('replies', {
  id: text('id').primaryKey(),
  postId: text('post_id')
    .notNull()
    .references(() => posts.id, { onDelete: 'cascade' }),
  authorId: text('author_id')
    .notNull()
    .references(() => users.id),
  body: text('body').notNull(),
  quotedReplyId: text('quoted_reply_id').references((): AnyPgColumn => replies.id, { onDelete: 'set null' }),
  hiddenAt: at('hidden_at'),
  hiddenById: text('hidden_by_id').references(() => users.id),
  hiddenReason: text('hidden_reason'),
  editedAt: at('edited_at'),
  submissionKey: text('submission_key'),
  createdAt: createdAt(),
  updatedAt: at('updated_at').notNull().defaultNow(),
}, (t) => [
  index('replies_post_idx').on(t.postId, t.createdAt),
  index('replies_author_idx').on(t.authorId, t.createdAt),
  uniqueIndex('replies_submission_key').on(t.authorId, t.submissionKey),
])

/** Every earlier version of an edited post or reply (support reads the history). */
export const revisions = pgTable('revisions', {
  id: text('id').primaryKey(),
  postId: text('post_id').references(() => posts.id, { onDelete: 'cascade' }),
  replyId: text('reply_id').references(() => replies.id, { onDelete: 'cascade' }),
  title: text('title'),
  body: text('body').notNull(),
  /** Who wrote this version, and when it was current from. */
  authorId: text('author_id').references(() => users.id),
  createdAt: at('created_at').notNull(),
  replacedAt: at('replaced_at').notNull().defaultNow(),
}, (t) => [index('revisions_post_idx').on(t.postId), index('revisions_reply_idx').on(t.replyId)])

export const meToos = pgTable('me_toos', {
  postId: text('post_id')
    .notNull()
    .references(() => posts.id, { onDelete: 'cascade' }),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.postId, t.userId] }), index('me_toos_user_idx').on(t.userId)])

export const follows = pgTable('follows', {
  postId: text('post_id')
    .notNull()
    .references(() => posts.id, { onDelete: 'cascade' }),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.postId, t.userId] }), index('follows_user_idx').on(t.userId)])

// ---------------------------------------------------------------------------
// Notifications: in-app rows, emailed at once or gathered into a daily digest
// according to each person's preference per event.

export const deliveryEnum = pgEnum('delivery', ['immediately', 'daily', 'off'])
export type Delivery = (typeof deliveryEnum.enumValues)[number]

export const notifications = pgTable('notifications', {
  id: text('id').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** See NOTIFICATION_EVENTS in app/modules/notifications. */
  event: text('event').notNull(),
  actorId: text('actor_id').references(() => users.id, { onDelete: 'set null' }),
  postId: text('post_id').references(() => posts.id, { onDelete: 'cascade' }),
  /** One line for the list and the email subject. */
  summary: text('summary').notNull(),
  /** Path inside the hub, made absolute for emails. */
  path: text('path').notNull(),
  /** Email delivery chosen when created: immediately, daily (digest) or off. */
  delivery: deliveryEnum('delivery').notNull(),
  /** Set when included in a daily digest. */
  digestedAt: at('digested_at'),
  readAt: at('read_at'),
  /** The same event for the same person is recorded once. */
  dedupeKey: text('dedupe_key').notNull(),
  createdAt: createdAt(),
}, (t) => [
  index('notifications_user_idx').on(t.userId, t.createdAt),
  index('notifications_unread_idx').on(t.userId).where(sql`${t.readAt} is null`),
  index('notifications_digest_idx').on(t.delivery, t.digestedAt),
  uniqueIndex('notifications_dedupe_key').on(t.dedupeKey),
])

export const notificationPreferences = pgTable('notification_preferences', {
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  event: text('event').notNull(),
  delivery: deliveryEnum('delivery').notNull(),
}, (t) => [primaryKey({ columns: [t.userId, t.event] })])

// ---------------------------------------------------------------------------
// Introductions: support connects a customer who is stuck on a problem (the
// asker) with one who solved something similar (the solver), only when both
// say yes. See app/modules/introductions for the state machine.

export const introductionStateEnum = pgEnum('introduction_state', [
  'proposed',
  'connected',
  'declined',
  'expired',
  'withdrawn',
])
export type IntroductionState = (typeof introductionStateEnum.enumValues)[number]
export const introductionResponseEnum = pgEnum('introduction_response', ['accepted', 'declined'])

export const introductions = pgTable('introductions', {
  id: text('id').primaryKey(),
  problemId: text('problem_id')
    .notNull()
    .references(() => posts.id, { onDelete: 'cascade' }),
  askerId: text('asker_id')
    .notNull()
    .references(() => users.id),
  solverId: text('solver_id')
    .notNull()
    .references(() => users.id),
  /** The workaround, story or migration that makes the solver a good match. */
  qualifyingPostId: text('qualifying_post_id').references(() => posts.id, { onDelete: 'set null' }),
  proposedById: text('proposed_by_id')
    .notNull()
    .references(() => users.id),
  askerNote: text('asker_note').notNull(),
  solverNote: text('solver_note').notNull(),
  state: introductionStateEnum('state').notNull().default('proposed'),
  askerResponse: introductionResponseEnum('asker_response'),
  askerRespondedAt: at('asker_responded_at'),
  solverResponse: introductionResponseEnum('solver_response'),
  solverRespondedAt: at('solver_responded_at'),
  expiresAt: at('expires_at').notNull(),
  connectedAt: at('connected_at'),
  closedAt: at('closed_at'),
  /** "Did it help?" asked of the asker a while after connecting, and the answer. */
  outcomeAskedAt: at('outcome_asked_at'),
  outcome: text('outcome'),
  outcomeAt: at('outcome_at'),
  createdAt: createdAt(),
  updatedAt: at('updated_at').notNull().defaultNow(),
}, (t) => [
  index('introductions_state_idx').on(t.state, t.createdAt),
  // The introductions list: most recently changed first, keyset pages (decision 0021).
  index('introductions_updated_idx').on(t.updatedAt, t.id),
  index('introductions_state_updated_idx').on(t.state, t.updatedAt, t.id),
  index('introductions_problem_idx').on(t.problemId),
  index('introductions_asker_idx').on(t.askerId),
  index('introductions_solver_idx').on(t.solverId),
  // One open introduction per pair and problem.
  uniqueIndex('introductions_open_pair')
    .on(t.problemId, t.askerId, t.solverId)
    .where(sql`${t.state} in ('proposed', 'connected')`),
])

/** The private thread of a connected introduction (the two customers and support). */
export const introductionMessages = pgTable('introduction_messages', {
  id: text('id').primaryKey(),
  introductionId: text('introduction_id')
    .notNull()
    .references(() => introductions.id, { onDelete: 'cascade' }),
  authorId: text('author_id')
    .notNull()
    .references(() => users.id),
  body: text('body').notNull(),
  submissionKey: text('submission_key'),
  createdAt: createdAt(),
}, (t) => [
  index('introduction_messages_intro_idx').on(t.introductionId, t.createdAt),
  uniqueIndex('introduction_messages_submission_key').on(t.authorId, t.submissionKey),
])

// ---------------------------------------------------------------------------
// Support console: status updates, calendar feed tokens, quiet-customer check-ins.

export const statusUpdateKindEnum = pgEnum('status_update_kind', [
  'investigating',
  'identified',
  'fix_in_progress',
  'fix_deployed',
  'resolved',
  'update',
])
export type StatusUpdateKind = (typeof statusUpdateKindEnum.enumValues)[number]

/** Support's timeline on a problem that affects many; reaches its me-too and followers. */
export const statusUpdates = pgTable('status_updates', {
  id: text('id').primaryKey(),
  postId: text('post_id')
    .notNull()
    .references(() => posts.id, { onDelete: 'cascade' }),
  authorId: text('author_id')
    .notNull()
    .references(() => users.id),
  status: statusUpdateKindEnum('status').notNull(),
  /** Markdown. */
  body: text('body').notNull(),
  submissionKey: text('submission_key'),
  createdAt: createdAt(),
}, (t) => [
  index('status_updates_post_idx').on(t.postId, t.createdAt),
  uniqueIndex('status_updates_submission_key').on(t.authorId, t.submissionKey),
])

/**
 * A person's secret iCalendar feed address. Only a SHA-256 of the secret is
 * stored (like sessions); resetting replaces the row, so the old address is
 * dead at once.
 */
export const calendarTokens = pgTable('calendar_tokens', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  tokenHash: text('token_hash').notNull(),
  createdAt: createdAt(),
  lastUsedAt: at('last_used_at'),
}, (t) => [uniqueIndex('calendar_tokens_hash_key').on(t.tokenHash)])

/** A friendly message support sent to a quiet organization, and to whom. */
export const checkIns = pgTable('check_ins', {
  id: text('id').primaryKey(),
  organizationId: text('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  authorId: text('author_id')
    .notNull()
    .references(() => users.id),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  submissionKey: text('submission_key'),
  createdAt: createdAt(),
}, (t) => [
  index('check_ins_organization_idx').on(t.organizationId, t.createdAt),
  uniqueIndex('check_ins_submission_key').on(t.authorId, t.submissionKey),
])

export const checkInRecipients = pgTable('check_in_recipients', {
  checkInId: text('check_in_id')
    .notNull()
    .references(() => checkIns.id, { onDelete: 'cascade' }),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
}, (t) => [primaryKey({ columns: [t.checkInId, t.userId] }), index('check_in_recipients_user_idx').on(t.userId)])
