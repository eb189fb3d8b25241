/**
 * Import: loads existing knowledge from a JSON-lines file — people,
 * problems with their workarounds and replies, success stories and
 * migration plans (format: import.schema.ts and the README). Run by
 * `npm run import`; whoever can run it has the database credentials, so
 * there is no actor to check and no web page for it.
 *
 * It reads like a checklist:
 * 1. Validate the whole file before writing anything, streaming it line by
 *    line in bounded memory: each line against its strict schema and the
 *    catalog (products, versions), then across lines (ids unique, authors
 *    known, links resolvable). A bad line means nothing is written, unless
 *    `skipInvalid` — then the valid lines are imported (and a line that
 *    depends on a bad one counts as bad too).
 * 2. Write: the new people first, then the posts in batches, one
 *    transaction per batch. Every record is matched by its import key
 *    (`posts.importKey` = `problem:<id>`, `workaround:<id>`…; a reply by
 *    its submission key `import:<post key>:<id>`), so running the same file
 *    again updates what changed, keeps the rest and never duplicates. An
 *    import never deletes: a record left out of the file stays in the hub.
 * 3. Each batch's transaction notifies servers on PostgreSQL when it
 *    commits, and after commit this process's index hears too (post-events).
 *    The database logs every post written (post_changes), so a server that
 *    was stopped (PGlite) catches the rows up from its search snapshot's
 *    position at the next start.
 *
 * No notifications are sent: the knowledge is old news. Emails only with
 * `invite`: people whose accounts were made by an import get a link to
 * choose their password (accounts.server.ts, queuePasswordSetupEmail).
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { and, eq, inArray, isNotNull, isNull, ne, or, sql } from 'drizzle-orm'
import { db, type Executor } from '~/db/client.server'
import {
  follows,
  organizations,
  posts,
  postTags,
  postVersions,
  products,
  productVersions,
  replies,
  users,
} from '~/db/schema'
import { NO_PASSWORD_HASH, queuePasswordSetupEmail } from '~/modules/accounts/accounts.server'
import { recordAudit } from '~/modules/audit/audit.server'
import { announcePostChanges, emitPostChange } from '~/modules/posts/post-events.server'
import { type Failure, newId } from '~/utils/result'
import {
  type ImportType,
  MAX_LINE_BYTES,
  MAX_RECORDS,
  type MigrationRecord,
  parseRecord,
  type PersonRecord,
  type PostRecord,
  type ProblemRecord,
  type StoryRecord,
} from './import.schema'
import { readLines } from './line-reader.server'

/** Records written per transaction (fewer when their text is large). */
const BATCH_RECORDS = 100
const BATCH_BYTES = 8 * 1024 * 1024
/** Problems kept per line; more are counted, not listed. */
const ISSUES_PER_LINE = 5
/** Problems listed in a report; more are counted. */
export const ISSUES_LISTED = 1000
/** Rows looked up per query. */
const LOOKUP_CHUNK = 1000

export type ImportIssue = { line: number; message: string }

export type ImportCounts = { created: number; updated: number; unchanged: number }

export type ValidationReport = {
  /** Non-blank lines read. */
  records: number
  /** Lines that can be imported. */
  valid: number
  /** Lines with at least one problem. */
  invalid: number
  /** The problems, in line order: the first ISSUES_LISTED. */
  issues: ImportIssue[]
  /** Every problem found, listed or not. */
  issueCount: number
  /** The file has more than MAX_RECORDS records (reading stopped there). */
  tooMany: boolean
  /** Valid records by type. */
  byType: Record<ImportType | 'workaround' | 'reply', number>
  /** Valid problems, stories and migrations imported by an earlier run (they are updated if changed). */
  alreadyImported: number
}

export type ImportSummary = {
  validation: ValidationReport
  /** True when only validated (`dryRun`). */
  dryRun: boolean
  /** Invalid lines left out (`skipInvalid`). */
  skipped: number
  people: { created: number; existing: number }
  organizationsCreated: number
  /** Problems, stories and migrations. */
  posts: ImportCounts
  workarounds: ImportCounts
  replies: ImportCounts
  /** Password links queued (`invite`). */
  invitations: number
}

export type ImportFailure = Failure<'unreadable' | 'invalid' | 'too_many' | 'changed'> & {
  validation?: ValidationReport
}

export type ImportOutcome = { ok: true; value: ImportSummary } | ImportFailure

export type ImportProgress =
  | { phase: 'validating'; done: number; total: number }
  | { phase: 'importing'; done: number; total: number }

export type ImportOptions = {
  /** Validate only; write nothing. */
  dryRun?: boolean
  /** Import the valid lines even when others are bad (those are reported and left out). */
  skipInvalid?: boolean
  /** Queue an email with a password link for every person of the file whose account has no password yet. */
  invite?: boolean
  /** Validation reports bytes read of the file's size; importing, records written of those to write. */
  onProgress?: (progress: ImportProgress) => void
}

// -- the catalog ----------------------------------------------------------------------

type CatalogProduct = {
  id: string
  slug: string
  name: string
  versions: { id: string; name: string }[]
}

async function loadCatalog(): Promise<CatalogProduct[]> {
  const rows = await db
    .select({ id: products.id, slug: products.slug, name: products.name })
    .from(products)
    .orderBy(products.slug)
  const versions = await db
    .select({
      id: productVersions.id,
      name: productVersions.name,
      productId: productVersions.productId,
    })
    .from(productVersions)
    .orderBy(productVersions.sortOrder, productVersions.name)
  return rows.map((p) => ({ ...p, versions: versions.filter((v) => v.productId === p.id) }))
}

const listed = (names: string[]) =>
  names.length > 20 ? `${names.slice(0, 20).join(', ')}, …` : names.join(', ')

/** A product by slug or name (any case). */
function findProduct(catalog: CatalogProduct[], ref: string) {
  const wanted = ref.toLowerCase()
  return catalog.find((p) => p.slug.toLowerCase() === wanted || p.name.toLowerCase() === wanted)
}

function findVersion(product: CatalogProduct, name: string) {
  const wanted = name.toLowerCase()
  return product.versions.find((v) => v.name.toLowerCase() === wanted)
}

/** The product and versions a record names, or the problems with them. */
function resolveCatalog(catalog: CatalogProduct[], record: PostRecord) {
  const messages: string[] = []
  const product = findProduct(catalog, record.product)
  if (!product) {
    messages.push(
      catalog.length
        ? `product: unknown product "${record.product}" (known: ${listed(catalog.map((p) => p.slug))})`
        : `product: unknown product "${record.product}" (the hub has no products yet; an admin adds them under Admin → Products)`,
    )
    return { messages }
  }
  const names = record.type === 'migration' ? [record.from, record.to] : record.versions
  const fields =
    record.type === 'migration' ? ['from', 'to'] : names.map((_, i) => `versions[${i}]`)
  const versionIds: string[] = []
  names.forEach((name, i) => {
    const version = findVersion(product, name)
    if (version) versionIds.push(version.id)
    else
      messages.push(
        `${fields[i]}: ${product.slug} has no version "${name}" (known: ${listed(product.versions.map((v) => v.name)) || 'none'})`,
      )
  })
  return { messages, product, versionIds: [...new Set(versionIds)] }
}

// -- validation -------------------------------------------------------------------------

/** What validation keeps of a valid post line: keys and references, never the text. */
type PostEntry = {
  line: number
  type: Exclude<ImportType, 'person'>
  key: string
  emails: string[]
  workaroundKeys: string[]
  replies: number
  related?: { key: string; label: string }
}

type Plan = {
  report: ValidationReport
  persons: Map<string, { line: number; record: PersonRecord }>
  /** Line number → import key of every post line to write. */
  postLines: Map<number, string>
  /** Accounts that exist already, by email. */
  users: Map<string, { id: string; organizationId: string }>
  catalog: CatalogProduct[]
  stat: { size: number; mtimeMs: number }
}

const keyOf = (type: string, id: string) => `${type}:${id}`
const label = (type: string, id: string) => `${type} "${id}"`

function chunks<T>(items: T[], size = LOOKUP_CHUNK): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

async function lookupUsers(emails: string[]) {
  const found = new Map<string, { id: string; organizationId: string }>()
  for (const chunk of chunks(emails)) {
    const rows = await db
      .select({ id: users.id, email: users.email, organizationId: users.organizationId })
      .from(users)
      .where(inArray(users.email, chunk))
    for (const row of rows) found.set(row.email, { id: row.id, organizationId: row.organizationId })
  }
  return found
}

async function lookupImportKeys(keys: string[]) {
  const found = new Map<string, { id: string; problemId: string | null }>()
  for (const chunk of chunks(keys)) {
    const rows = await db
      .select({ id: posts.id, importKey: posts.importKey, problemId: posts.problemId })
      .from(posts)
      .where(inArray(posts.importKey, chunk))
    for (const row of rows) found.set(row.importKey!, { id: row.id, problemId: row.problemId })
  }
  return found
}

async function lookupOrganizations(names: string[]) {
  const found = new Map<string, { id: string; isVendor: boolean }>()
  for (const chunk of chunks(names)) {
    const rows = await db
      .select({ id: organizations.id, name: organizations.name, isVendor: organizations.isVendor })
      .from(organizations)
      .where(inArray(sql`lower(${organizations.name})`, chunk))
    for (const row of rows)
      found.set(row.name.toLowerCase(), { id: row.id, isVendor: row.isVendor })
  }
  return found
}

/** Reads and checks the whole file; writes nothing. */
async function validate(file: string, options: ImportOptions): Promise<Plan> {
  const stat = await fs.stat(file)
  const catalog = await loadCatalog()
  const issues: ImportIssue[] = []
  const perLine = new Map<number, number>()
  let issueCount = 0
  const report = (line: number, message: string) => {
    issueCount += 1
    const n = (perLine.get(line) ?? 0) + 1
    perLine.set(line, n)
    if (n <= ISSUES_PER_LINE) issues.push({ line, message })
    else if (n === ISSUES_PER_LINE + 1)
      issues.push({ line, message: 'more problems on this line are not listed' })
  }

  const persons = new Map<string, { line: number; record: PersonRecord }>()
  const entries: PostEntry[] = []
  /** Import key → first line (duplicates). */
  const seen = new Map<string, number>()
  const personLines = new Map<string, number>()
  let records = 0
  let tooMany = false

  for await (const line of readLines(file, { maxBytes: MAX_LINE_BYTES })) {
    options.onProgress?.({ phase: 'validating', done: line.bytesRead, total: stat.size })
    if ('problem' in line) {
      records += 1
      if (records > MAX_RECORDS) {
        tooMany = true
        break
      }
      report(
        line.number,
        line.problem === 'too_long'
          ? `longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB; split its workarounds or replies, or shorten its text`
          : 'not valid UTF-8 text; save the file as UTF-8',
      )
      continue
    }
    if (!line.text.trim()) continue
    records += 1
    if (records > MAX_RECORDS) {
      tooMany = true
      break
    }
    let value: unknown
    try {
      value = JSON.parse(line.text)
    } catch (error) {
      report(
        line.number,
        `invalid JSON (${error instanceof Error ? error.message : 'could not parse'})`,
      )
      continue
    }
    const parsed = parseRecord(value)
    if (!parsed.ok) {
      for (const message of parsed.messages) report(line.number, message)
      // Remembered so that lines by this person can say where the problem is.
      const email = personEmail(value)
      if (email && !personLines.has(email)) personLines.set(email, line.number)
      continue
    }
    const record = parsed.record
    if (record.type === 'person') {
      const first = personLines.get(record.email)
      if (first)
        report(
          line.number,
          `email: a person line for "${record.email}" comes first on line ${first}`,
        )
      else {
        personLines.set(record.email, line.number)
        persons.set(record.email, { line: line.number, record })
      }
      continue
    }
    const problems: string[] = []
    const key = keyOf(record.type, record.id)
    const first = seen.get(key)
    if (first)
      problems.push(`id: duplicate ${record.type} id "${record.id}" (first on line ${first})`)
    else seen.set(key, line.number)
    const workaroundKeys: string[] = []
    if (record.type === 'problem') {
      record.workarounds.forEach((w, i) => {
        const wKey = keyOf('workaround', w.id)
        const earlier = seen.get(wKey)
        if (earlier)
          problems.push(
            `workarounds[${i}].id: duplicate workaround id "${w.id}" (first on line ${earlier})`,
          )
        else seen.set(wKey, line.number)
        workaroundKeys.push(wKey)
      })
    }
    problems.push(...resolveCatalog(catalog, record).messages)
    if (problems.length) {
      for (const message of problems) report(line.number, message)
      continue
    }
    entries.push({
      line: line.number,
      type: record.type,
      key,
      emails: [
        ...new Set([
          record.author,
          ...(record.type === 'problem' ? record.workarounds.map((w) => w.author) : []),
          ...record.replies.map((r) => r.author),
        ]),
      ],
      workaroundKeys,
      replies: record.replies.length,
      related:
        record.type === 'story' && record.related
          ? {
              key: keyOf(record.related.type, record.related.id),
              label: label(record.related.type, record.related.id),
            }
          : undefined,
    })
  }

  // Across lines: what the database already has.
  const emails = new Set<string>(persons.keys())
  for (const entry of entries) for (const email of entry.emails) emails.add(email)
  const existingUsers = await lookupUsers([...emails])
  const keys = new Set<string>()
  for (const entry of entries) {
    keys.add(entry.key)
    for (const k of entry.workaroundKeys) keys.add(k)
    if (entry.related) keys.add(entry.related.key)
  }
  const existingPosts = await lookupImportKeys([...keys])
  const newPeople = [...persons.values()].filter((p) => !existingUsers.has(p.record.email))
  const existingOrganizations = await lookupOrganizations([
    ...new Set(newPeople.map((p) => p.record.organization.toLowerCase())),
  ])

  // People: staff roles belong to the vendor's organization (as on the roles page).
  for (const person of newPeople) {
    if (person.record.role === 'customer') continue
    const organization = existingOrganizations.get(person.record.organization.toLowerCase())
    if (!organization?.isVendor) {
      report(
        person.line,
        `role: support is only for people of the vendor's own organization, and "${person.record.organization}" is not it`,
      )
      persons.delete(person.record.email)
    }
  }

  // Posts: authors known; workarounds stay under the problem they were imported with.
  const byKey = new Map<string, PostEntry>()
  const invalidLines = new Set<number>(perLine.keys())
  const postIdsByKey = new Map([...existingPosts].map(([k, v]) => [k, v.id]))
  const keyByPostId = new Map([...existingPosts].map(([k, v]) => [v.id, k]))
  for (const entry of entries) {
    const problems: string[] = []
    for (const email of entry.emails) {
      if (existingUsers.has(email) || persons.has(email)) continue
      const personLine = personLines.get(email)
      problems.push(
        personLine
          ? `author "${email}": the person line for it (line ${personLine}) has problems`
          : `author "${email}": no account has this email and no person line in the file gives it`,
      )
    }
    for (const wKey of entry.workaroundKeys) {
      const stored = existingPosts.get(wKey)
      if (!stored) continue
      const owner = stored.problemId ? keyByPostId.get(stored.problemId) : undefined
      if (stored.problemId && stored.problemId !== postIdsByKey.get(entry.key)) {
        problems.push(
          `workarounds: workaround "${wKey.slice('workaround:'.length)}" was imported under ${owner ? label('problem', owner.slice('problem:'.length)) : 'another problem'}; it cannot move to this one`,
        )
      }
    }
    if (problems.length) {
      for (const message of problems) report(entry.line, message)
      invalidLines.add(entry.line)
    } else byKey.set(entry.key, entry)
  }
  // Stories: the linked problem or migration is in the file (and valid) or imported before.
  for (const entry of entries) {
    if (!entry.related || invalidLines.has(entry.line)) continue
    const target = byKey.get(entry.related.key)
    if (target || existingPosts.has(entry.related.key)) continue
    const targetLine = seen.get(entry.related.key)
    report(
      entry.line,
      targetLine
        ? `related: ${entry.related.label} (line ${targetLine}) has problems`
        : `related: ${entry.related.label} is neither in this file nor imported before`,
    )
    invalidLines.add(entry.line)
    byKey.delete(entry.key)
  }

  const postLines = new Map<number, string>()
  const byType: ValidationReport['byType'] = {
    person: persons.size,
    problem: 0,
    story: 0,
    migration: 0,
    workaround: 0,
    reply: 0,
  }
  let alreadyImported = 0
  for (const entry of byKey.values()) {
    postLines.set(entry.line, entry.key)
    byType[entry.type] += 1
    byType.workaround += entry.workaroundKeys.length
    byType.reply += entry.replies
    if (existingPosts.has(entry.key)) alreadyImported += 1
  }
  issues.sort((a, b) => a.line - b.line)
  return {
    report: {
      records: Math.min(records, MAX_RECORDS),
      valid: persons.size + postLines.size,
      invalid: invalidLines.size,
      issues: issues.slice(0, ISSUES_LISTED),
      issueCount,
      tooMany,
      byType,
      alreadyImported,
    },
    persons,
    postLines,
    users: existingUsers,
    catalog,
    stat: { size: stat.size, mtimeMs: stat.mtimeMs },
  }
}

/** The email of a person line that failed its schema, if it has one. */
function personEmail(value: unknown) {
  const { type, email } = (value ?? {}) as { type?: unknown; email?: unknown }
  return type === 'person' && typeof email === 'string' ? email.trim().toLowerCase() : null
}

// -- writing ------------------------------------------------------------------------------

type Status = 'created' | 'updated' | 'unchanged'
type PostRow = typeof posts.$inferSelect
type PostValues = Omit<
  typeof posts.$inferInsert,
  'id' | 'importKey' | 'updatedAt' | 'lastActivityAt'
>

type WriteContext = {
  tx: Executor
  /** The database's clock at the start of the batch: every row written gets it as updated_at. */
  now: Date
  people: Map<string, { id: string; organizationId: string }>
  catalog: CatalogProduct[]
  summary: ImportSummary
  /** Posts to announce after commit. */
  changed: Set<string>
  /** Stories whose linked post comes later in the file. */
  pendingRelated: { storyId: string; key: string }[]
}

async function databaseNow(tx: Executor): Promise<Date> {
  const [row] = await tx.select({ now: sql<string>`now()::text` }).from(sql`(select 1) as one`)
  return new Date(row!.now)
}

/** Serialises imports with each other (two at once would race on the same keys). */
async function lockImports(tx: Executor) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('switchboard.import'))`)
}

function person(ctx: WriteContext, email: string) {
  const found = ctx.people.get(email)
  if (!found) throw new Error(`switchboard/import: no account for ${email} after validation`)
  return found
}

const same = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b

/** The fields of `wanted` that differ from `row` (undefined means "keep"). */
function differences(row: PostRow, wanted: Partial<PostValues>) {
  const diff: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(wanted)) {
    if (value !== undefined && !same(row[field as keyof PostRow], value)) diff[field] = value
  }
  return Object.keys(diff).length ? (diff as Partial<PostValues>) : null
}

async function findPost(tx: Executor, key: string) {
  const [row] = await tx.select().from(posts).where(eq(posts.importKey, key))
  return row
}

/** Inserts the post of `key`, or updates the fields that differ. */
async function savePost(
  ctx: WriteContext,
  key: string,
  existing: PostRow | undefined,
  wanted: PostValues,
) {
  if (!existing) {
    const id = newId()
    const createdAt = wanted.createdAt ?? ctx.now
    await ctx.tx
      .insert(posts)
      .values({
        ...wanted,
        id,
        importKey: key,
        createdAt,
        updatedAt: ctx.now,
        lastActivityAt: createdAt,
      })
    return { id, status: 'created' as Status }
  }
  const diff = differences(existing, wanted)
  if (!diff) return { id: existing.id, status: 'unchanged' as Status }
  await ctx.tx
    .update(posts)
    .set({ ...diff, updatedAt: ctx.now })
    .where(eq(posts.id, existing.id))
  return { id: existing.id, status: 'updated' as Status }
}

async function syncVersions(tx: Executor, postId: string, versionIds: string[]) {
  const current = await tx
    .select({ id: postVersions.versionId })
    .from(postVersions)
    .where(eq(postVersions.postId, postId))
  const wanted = new Set(versionIds)
  if (current.length === wanted.size && current.every((v) => wanted.has(v.id))) return false
  await tx.delete(postVersions).where(eq(postVersions.postId, postId))
  if (wanted.size)
    await tx.insert(postVersions).values([...wanted].map((versionId) => ({ postId, versionId })))
  return true
}

async function syncTags(tx: Executor, postId: string, tags: string[]) {
  const current = await tx
    .select({ tag: postTags.tag })
    .from(postTags)
    .where(eq(postTags.postId, postId))
  const wanted = new Set(tags)
  if (current.length === wanted.size && current.every((t) => wanted.has(t.tag))) return false
  await tx.delete(postTags).where(eq(postTags.postId, postId))
  if (wanted.size) await tx.insert(postTags).values([...wanted].map((tag) => ({ postId, tag })))
  return true
}

/** Authors, workaround authors and repliers follow the post, as when they write in the hub. */
async function follow(tx: Executor, postId: string, userIds: string[]) {
  const unique = [...new Set(userIds)]
  if (unique.length)
    await tx
      .insert(follows)
      .values(unique.map((userId) => ({ postId, userId })))
      .onConflictDoNothing()
}

function count(counts: ImportCounts, status: Status) {
  counts[status] += 1
}

/** The replies of a post, matched by their submission key `import:<post key>:<id>`. */
async function writeReplies(
  ctx: WriteContext,
  postKey: string,
  postId: string,
  list: PostRecord['replies'],
) {
  if (!list.length) return false
  const keyed = list.map((reply) => ({ reply, key: `import:${postKey}:${reply.id}` }))
  const rows = await ctx.tx
    .select()
    .from(replies)
    .where(
      and(
        eq(replies.postId, postId),
        inArray(
          replies.submissionKey,
          keyed.map((k) => k.key),
        ),
      ),
    )
  const stored = new Map(rows.map((r) => [r.submissionKey!, r]))
  let changed = false
  for (const { reply, key } of keyed) {
    const authorId = person(ctx, reply.author).id
    const row = stored.get(key)
    if (!row) {
      const createdAt = reply.createdAt ?? ctx.now
      await ctx.tx
        .insert(replies)
        .values({
          id: newId(),
          postId,
          authorId,
          body: reply.body,
          submissionKey: key,
          createdAt,
          updatedAt: createdAt,
        })
      count(ctx.summary.replies, 'created')
      changed = true
      continue
    }
    const diff: Partial<typeof replies.$inferInsert> = {}
    if (row.authorId !== authorId) diff.authorId = authorId
    if (row.body !== reply.body) diff.body = reply.body
    if (reply.createdAt && !same(row.createdAt, reply.createdAt)) diff.createdAt = reply.createdAt
    if (Object.keys(diff).length) {
      await ctx.tx
        .update(replies)
        .set({ ...diff, updatedAt: ctx.now })
        .where(eq(replies.id, row.id))
      count(ctx.summary.replies, 'updated')
      changed = true
    } else count(ctx.summary.replies, 'unchanged')
  }
  return changed
}

/**
 * The workarounds of a problem. The file is the truth for what it says: the
 * workaround it marks accepted becomes the problem's one accepted
 * workaround (any other acceptance on the problem is withdrawn first, as
 * the one-accepted-per-problem index demands); one it does not mark is not
 * accepted. Acceptance and verification are dated by the workaround.
 */
async function writeWorkarounds(
  ctx: WriteContext,
  record: ProblemRecord,
  problem: { id: string; productId: string; visibility: PostRow['visibility'] },
) {
  if (!record.workarounds.length) return false
  const keys = record.workarounds.map((w) => keyOf('workaround', w.id))
  const rows = await ctx.tx.select().from(posts).where(inArray(posts.importKey, keys))
  const stored = new Map(rows.map((r) => [r.importKey!, r]))
  let changed = false
  const withdrawnKeys = new Set<string>()
  const accepted = record.workarounds.find((w) => w.accepted)
  if (accepted) {
    const acceptedKey = keyOf('workaround', accepted.id)
    const withdrawn = await ctx.tx
      .update(posts)
      .set({ acceptedAt: null, acceptedById: null, updatedAt: ctx.now })
      .where(
        and(
          eq(posts.problemId, problem.id),
          isNotNull(posts.acceptedAt),
          or(isNull(posts.importKey), ne(posts.importKey, acceptedKey)),
        ),
      )
      .returning({ id: posts.id, importKey: posts.importKey })
    for (const row of withdrawn) {
      const copy = row.importKey ? stored.get(row.importKey) : undefined
      if (copy) Object.assign(copy, { acceptedAt: null, acceptedById: null })
      if (row.importKey) withdrawnKeys.add(row.importKey)
      changed = true
    }
  }
  for (const [i, workaround] of record.workarounds.entries()) {
    const key = keys[i]!
    const row = stored.get(key)
    const author = person(ctx, workaround.author)
    const createdAt = workaround.createdAt ?? row?.createdAt ?? ctx.now
    const saved = await savePost(ctx, key, row, {
      kind: 'workaround',
      authorId: author.id,
      organizationId: author.organizationId,
      productId: problem.productId,
      problemId: problem.id,
      title: null,
      body: workaround.body,
      visibility: problem.visibility,
      acceptedAt: workaround.accepted ? (row?.acceptedAt ?? createdAt) : null,
      acceptedById: workaround.accepted ? (row?.acceptedById ?? null) : null,
      verifiedAt: workaround.verified ? (row?.verifiedAt ?? createdAt) : null,
      verifiedById: workaround.verified ? (row?.verifiedById ?? null) : null,
      createdAt: workaround.createdAt,
    })
    count(
      ctx.summary.workarounds,
      saved.status === 'unchanged' && withdrawnKeys.has(key) ? 'updated' : saved.status,
    )
    if (saved.status !== 'unchanged') changed = true
  }
  return changed
}

/**
 * Recomputes what the commands keep in step, from the rows: reply count;
 * for problems the first response (earliest reply or workaround by someone
 * else) and the state (solved with an accepted workaround, answered once
 * someone else responded, open otherwise); the last activity, which never
 * moves backwards.
 */
async function refreshDerived(ctx: WriteContext, postId: string) {
  const [post] = await ctx.tx.select().from(posts).where(eq(posts.id, postId))
  if (!post) return false
  const replyRows = await ctx.tx
    .select({ authorId: replies.authorId, createdAt: replies.createdAt })
    .from(replies)
    .where(eq(replies.postId, postId))
  const workaroundRows =
    post.kind === 'problem'
      ? await ctx.tx
          .select({
            authorId: posts.authorId,
            createdAt: posts.createdAt,
            acceptedAt: posts.acceptedAt,
            verifiedAt: posts.verifiedAt,
          })
          .from(posts)
          .where(eq(posts.problemId, postId))
      : []
  const times = (dates: (Date | null)[]) =>
    dates.filter((d): d is Date => d !== null).map((d) => d.getTime())
  const wanted: Partial<PostRow> = { replyCount: replyRows.length }
  if (post.kind === 'problem') {
    const responses = times(
      [...replyRows, ...workaroundRows]
        .filter((r) => r.authorId !== post.authorId)
        .map((r) => r.createdAt),
    )
    wanted.firstResponseAt = responses.length ? new Date(Math.min(...responses)) : null
    wanted.state = workaroundRows.some((w) => w.acceptedAt)
      ? 'solved'
      : wanted.firstResponseAt
        ? 'answered'
        : 'open'
  }
  const activity = times([
    post.lastActivityAt,
    post.createdAt,
    ...replyRows.map((r) => r.createdAt),
    ...workaroundRows.flatMap((w) => [w.createdAt, w.acceptedAt, w.verifiedAt]),
  ])
  wanted.lastActivityAt = new Date(Math.max(...activity))
  const diff = differences(post, wanted as Partial<PostValues>)
  if (!diff) return false
  await ctx.tx
    .update(posts)
    .set({ ...diff, updatedAt: ctx.now })
    .where(eq(posts.id, postId))
  return true
}

async function writePost(ctx: WriteContext, record: PostRecord) {
  const key = keyOf(record.type, record.id)
  const author = person(ctx, record.author)
  const { product, versionIds } = resolveCatalog(ctx.catalog, record)
  if (!product || !versionIds)
    throw new Error(`switchboard/import: ${key} no longer matches the catalog`)
  const existing = await findPost(ctx.tx, key)
  const common = {
    authorId: author.id,
    organizationId: author.organizationId,
    productId: product.id,
    visibility: record.visibility,
    createdAt: record.createdAt,
  }
  let wanted: PostValues
  if (record.type === 'problem') {
    wanted = {
      ...common,
      kind: 'problem',
      title: record.title,
      body: record.body,
      state: existing ? undefined : 'open',
    }
  } else if (record.type === 'story') {
    wanted = {
      ...common,
      kind: 'story',
      title: record.title,
      body: record.body,
      relatedPostId: await relatedId(ctx, record),
    }
  } else {
    wanted = migrationValues(record, product, common)
  }
  const saved = await savePost(ctx, key, existing, wanted)
  let changed = saved.status !== 'unchanged'
  if (record.type === 'story' && record.related && wanted.relatedPostId === undefined) {
    ctx.pendingRelated.push({
      storyId: saved.id,
      key: keyOf(record.related.type, record.related.id),
    })
  }
  if (await syncVersions(ctx.tx, saved.id, versionIds)) changed = true
  if (record.type !== 'migration' && (await syncTags(ctx.tx, saved.id, record.tags))) changed = true
  if (
    record.type === 'problem' &&
    (await writeWorkarounds(ctx, record, {
      id: saved.id,
      productId: product.id,
      visibility: record.visibility,
    }))
  ) {
    changed = true
  }
  if (await writeReplies(ctx, key, saved.id, record.replies)) changed = true
  await follow(ctx.tx, saved.id, [
    author.id,
    ...(record.type === 'problem' ? record.workarounds.map((w) => person(ctx, w.author).id) : []),
    ...record.replies.map((r) => person(ctx, r.author).id),
  ])
  if (await refreshDerived(ctx, saved.id)) changed = true
  if (changed && saved.status === 'unchanged') {
    // Only children changed: the post's search document did too (it carries its workarounds).
    await ctx.tx.update(posts).set({ updatedAt: ctx.now }).where(eq(posts.id, saved.id))
  }
  count(
    ctx.summary.posts,
    saved.status === 'created' ? 'created' : changed ? 'updated' : 'unchanged',
  )
  if (changed) ctx.changed.add(saved.id)
}

/** The id of a story's linked post; undefined while it is still to come in the file. */
async function relatedId(ctx: WriteContext, record: StoryRecord) {
  if (!record.related) return null
  const target = await findPost(ctx.tx, keyOf(record.related.type, record.related.id))
  return target?.id
}

function migrationValues(
  record: MigrationRecord,
  product: CatalogProduct,
  common: Omit<PostValues, 'kind' | 'body'>,
): PostValues {
  const from = findVersion(product, record.from)!
  const to = findVersion(product, record.to)!
  return {
    ...common,
    kind: 'migration',
    // The title the hub gives a plan (planMigration).
    title: `${product.name} ${from.name} → ${to.name}`,
    body: record.body,
    fromVersionId: from.id,
    toVersionId: to.id,
    windowStart: record.windowStart,
    windowEnd: record.windowEnd ?? null,
    migrationStatus: record.status,
  }
}

/** Makes the accounts of the file's new people (no password yet), and their organizations when missing. */
async function writePeople(plan: Plan, options: ImportOptions, summary: ImportSummary) {
  const people = new Map(plan.users)
  await db.transaction(async (tx) => {
    await lockImports(tx)
    const organizationIds = new Map<string, string>()
    for (const { record } of plan.persons.values()) {
      if (people.has(record.email)) {
        summary.people.existing += 1
        continue
      }
      const orgKey = record.organization.toLowerCase()
      let organizationId = organizationIds.get(orgKey)
      if (!organizationId) {
        const [created] = await tx
          .insert(organizations)
          .values({ id: newId(), name: record.organization })
          .onConflictDoNothing()
          .returning({ id: organizations.id })
        if (created) summary.organizationsCreated += 1
        organizationId =
          created?.id ??
          (
            await tx
              .select({ id: organizations.id })
              .from(organizations)
              .where(sql`lower(${organizations.name}) = ${orgKey}`)
          )[0]!.id
        organizationIds.set(orgKey, organizationId)
      }
      const [user] = await tx
        .insert(users)
        .values({
          id: newId(),
          organizationId,
          email: record.email,
          name: record.name,
          role: record.role,
          passwordHash: NO_PASSWORD_HASH,
        })
        .onConflictDoNothing()
        .returning({ id: users.id, organizationId: users.organizationId })
      if (user) summary.people.created += 1
      else summary.people.existing += 1 // Signed up since validation.
      people.set(
        record.email,
        user ??
          (
            await tx
              .select({ id: users.id, organizationId: users.organizationId })
              .from(users)
              .where(eq(users.email, record.email))
          )[0]!,
      )
    }
    if (options.invite) {
      for (const { record } of plan.persons.values()) {
        if (await queuePasswordSetupEmail(tx, people.get(record.email)!.id))
          summary.invitations += 1
      }
    }
  })
  return people
}

/** Re-reads the valid post lines and writes them in batches (one transaction each). */
async function writePosts(
  file: string,
  plan: Plan,
  people: WriteContext['people'],
  options: ImportOptions,
  summary: ImportSummary,
) {
  const pendingRelated: WriteContext['pendingRelated'] = []
  const total = plan.persons.size + plan.postLines.size
  let done = plan.persons.size
  let batch: PostRecord[] = []
  let batchBytes = 0

  const flush = async () => {
    if (!batch.length) return
    const records = batch
    batch = []
    batchBytes = 0
    const changed = new Set<string>()
    await db.transaction(async (tx) => {
      await lockImports(tx)
      const ctx: WriteContext = {
        tx,
        now: await databaseNow(tx),
        people,
        catalog: plan.catalog,
        summary,
        changed,
        pendingRelated,
      }
      for (const record of records) await writePost(ctx, record)
      if (changed.size) await announcePostChanges(tx)
    })
    for (const id of changed) emitPostChange(id)
    done += records.length
    options.onProgress?.({ phase: 'importing', done, total })
  }

  for await (const line of readLines(file, { maxBytes: MAX_LINE_BYTES })) {
    const key = plan.postLines.get(line.number)
    if (!key) continue
    const text = 'text' in line ? line.text : ''
    const parsed = parseRecord(safeJson(text))
    const record = parsed.ok ? parsed.record : null
    if (!record || record.type === 'person' || keyOf(record.type, record.id) !== key) {
      await flush()
      return line.number
    }
    batch.push(record)
    batchBytes += text.length
    if (batch.length >= BATCH_RECORDS || batchBytes >= BATCH_BYTES) await flush()
  }
  await flush()

  // Stories written before the problem or migration they link to.
  if (pendingRelated.length) {
    const changed = new Set<string>()
    await db.transaction(async (tx) => {
      await lockImports(tx)
      const now = await databaseNow(tx)
      for (const pending of pendingRelated) {
        const target = await findPost(tx, pending.key)
        if (!target) continue
        const updated = await tx
          .update(posts)
          .set({ relatedPostId: target.id, updatedAt: now })
          .where(
            and(
              eq(posts.id, pending.storyId),
              or(isNull(posts.relatedPostId), ne(posts.relatedPostId, target.id)),
            ),
          )
          .returning({ id: posts.id })
        if (updated.length) changed.add(pending.storyId)
      }
      if (changed.size) await announcePostChanges(tx)
    })
    for (const id of changed) emitPostChange(id)
  }
  return null
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

// -- the command ----------------------------------------------------------------------------

/**
 * Imports `file`: validates every line first, then (unless `dryRun`)
 * writes people, posts, workarounds and replies, idempotently.
 *
 * Fails, writing nothing, with `unreadable` (no such file), `too_many`
 * (more than MAX_RECORDS records), or `invalid` (bad lines, unless
 * `skipInvalid`); `validation` lists every problem with its line number.
 * Fails with `changed` when the file changed between validation and
 * writing (what was written by then stays; running again finishes it).
 */
export async function importFile(
  file: string,
  options: ImportOptions = {},
): Promise<ImportOutcome> {
  try {
    const stat = await fs.stat(file)
    if (!stat.isFile())
      return { ok: false, reason: 'unreadable', message: `${file} is not a file.` }
    await fs.access(file, fs.constants.R_OK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return {
      ok: false,
      reason: 'unreadable',
      message:
        code === 'ENOENT'
          ? `There is no file ${file}.`
          : `Cannot read ${file} (${code ?? String(error)}).`,
    }
  }
  const plan = await validate(file, options)
  const validation = plan.report
  if (validation.tooMany) {
    return {
      ok: false,
      reason: 'too_many',
      message: `The file has more than ${MAX_RECORDS.toLocaleString('en')} records; nothing was imported. Split it into files of at most ${MAX_RECORDS.toLocaleString('en')} records and import them one after the other (a later file may refer to ids and people of an earlier one).`,
      validation,
    }
  }
  if (validation.invalid && !options.skipInvalid) {
    return {
      ok: false,
      reason: 'invalid',
      message: `${validation.invalid.toLocaleString('en')} of ${validation.records.toLocaleString('en')} lines have problems; nothing was imported.`,
      validation,
    }
  }
  const summary: ImportSummary = {
    validation,
    dryRun: Boolean(options.dryRun),
    skipped: validation.invalid,
    people: { created: 0, existing: 0 },
    organizationsCreated: 0,
    posts: { created: 0, updated: 0, unchanged: 0 },
    workarounds: { created: 0, updated: 0, unchanged: 0 },
    replies: { created: 0, updated: 0, unchanged: 0 },
    invitations: 0,
  }
  if (options.dryRun || !validation.valid) return { ok: true, value: summary }

  const changedMessage = (line: number) =>
    `The file changed while it was being imported (line ${line} is not what was validated). What was written before stays; run the import again on the finished file.`
  const current = await fs.stat(file)
  if (current.size !== plan.stat.size || current.mtimeMs !== plan.stat.mtimeMs) {
    return { ok: false, reason: 'changed', message: changedMessage(1), validation }
  }
  const people = await writePeople(plan, options, summary)
  options.onProgress?.({ phase: 'importing', done: plan.persons.size, total: validation.valid })
  const changedAt = await writePosts(file, plan, people, options, summary)
  await db.transaction(async (tx) => {
    await recordAudit(tx, {
      actorId: null,
      action: 'import.run',
      subjectType: 'import',
      subjectId: path.basename(file),
      details: {
        file: path.basename(file),
        people: summary.people,
        organizationsCreated: summary.organizationsCreated,
        posts: summary.posts,
        workarounds: summary.workarounds,
        replies: summary.replies,
        skipped: summary.skipped,
        invitations: summary.invitations,
        ...(changedAt ? { stoppedAtLine: changedAt } : {}),
      },
    })
  })
  if (changedAt)
    return { ok: false, reason: 'changed', message: changedMessage(changedAt), validation }
  return { ok: true, value: summary }
}
