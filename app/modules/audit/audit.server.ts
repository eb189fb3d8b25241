/**
 * The audit log: who did what, when. Entries are written in the same
 * transaction as the action they record, so the log never claims something
 * that did not happen.
 */
import { and, eq, gte, lt, sql, type SQL } from 'drizzle-orm'
import { db, type Executor } from '~/db/client.server'
import { auditLog, users } from '~/db/schema'
import { keysetPage, type Cursor } from '~/utils/keyset'
import { exactTime, keysetOrder, keysetWhere } from '~/utils/keyset.server'

export type AuditEntry = {
  actorId: string | null
  action: string
  subjectType?: string
  subjectId?: string
  details?: Record<string, unknown>
}

/** Records an action inside the caller's transaction. */
export async function recordAudit(tx: Executor, entry: AuditEntry) {
  await tx.insert(auditLog).values({
    actorId: entry.actorId,
    action: entry.action,
    subjectType: entry.subjectType ?? null,
    subjectId: entry.subjectId ?? null,
    details: entry.details ?? {},
  })
}

const PAGE_SIZE = 50

/**
 * A page of the audit log, newest first, filtered by actor, action and date
 * range: a keyset page from `cursor` (decision 0021), so a page deep in a
 * long log costs what the first one does. Callers check the admin role.
 */
export async function listAuditLog(
  filters: { actorId?: string; actorEmail?: string; action?: string; from?: Date; to?: Date; cursor?: Cursor | null } = {},
) {
  const conditions: (SQL | undefined)[] = []
  if (filters.actorId) conditions.push(eq(auditLog.actorId, filters.actorId))
  if (filters.actorEmail) conditions.push(eq(users.email, filters.actorEmail.toLowerCase()))
  if (filters.action) conditions.push(eq(auditLog.action, filters.action))
  if (filters.from) conditions.push(gte(auditLog.at, filters.from))
  if (filters.to) conditions.push(lt(auditLog.at, filters.to))
  const cursor = filters.cursor ?? null
  conditions.push(keysetWhere(auditLog.at, auditLog.id, cursor, 'integer'))
  const rows = await db
    .select({
      id: auditLog.id,
      action: auditLog.action,
      subjectType: auditLog.subjectType,
      subjectId: auditLog.subjectId,
      details: auditLog.details,
      at: auditLog.at,
      actorName: users.name,
      actorEmail: users.email,
      cursorAt: exactTime(auditLog.at),
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(and(...conditions))
    .orderBy(...keysetOrder(auditLog.at, auditLog.id, cursor))
    .limit(PAGE_SIZE + 1)
  const { items, ...page } = keysetPage(
    rows.map((row) => ({ ...row, id: String(row.id) })),
    PAGE_SIZE,
    cursor,
  )
  return { ...page, rows: items.map(({ cursorAt: _cursor, ...row }) => row) }
}

/** Most distinct actions read for the filter (there are a few dozen). */
const ACTIONS_LIMIT = 200

/**
 * The actions that occur in the log, for the filter: a skip scan over the
 * (action, at) index, one step per distinct action, rather than reading the
 * whole log on every view.
 */
export async function listAuditActions() {
  const rows = await db.execute<{ action: string }>(sql`
    with recursive found(action, n) as (
      (select ${auditLog.action}, 1 from ${auditLog} order by ${auditLog.action} limit 1)
      union all
      select (select a.action from ${auditLog} a where a.action > found.action order by a.action limit 1), found.n + 1
      from found where found.action is not null and found.n < ${ACTIONS_LIMIT}
    )
    select action from found where action is not null order by action`)
  // postgres.js returns the rows; PGlite a result with `rows`.
  const list = Array.isArray(rows) ? rows : (rows as unknown as { rows: { action: string }[] }).rows
  return list.map((r) => r.action)
}
