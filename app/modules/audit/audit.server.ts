/**
 * The audit log: who did what, when. Entries are written in the same
 * transaction as the action they record, so the log never claims something
 * that did not happen.
 */
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm'
import { db, type Executor } from '~/db/client.server'
import { auditLog, users } from '~/db/schema'

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

/** A page of the audit log, newest first, filtered by actor, action and date range. Callers check the admin role. */
export async function listAuditLog(
  filters: { actorId?: string; actorEmail?: string; action?: string; from?: Date; to?: Date; page?: number } = {},
) {
  const conditions: SQL[] = []
  if (filters.actorId) conditions.push(eq(auditLog.actorId, filters.actorId))
  if (filters.actorEmail) conditions.push(eq(users.email, filters.actorEmail.toLowerCase()))
  if (filters.action) conditions.push(eq(auditLog.action, filters.action))
  if (filters.from) conditions.push(gte(auditLog.at, filters.from))
  if (filters.to) conditions.push(lt(auditLog.at, filters.to))
  const page = filters.page ?? 1
  return db
    .select({
      id: auditLog.id,
      action: auditLog.action,
      subjectType: auditLog.subjectType,
      subjectId: auditLog.subjectId,
      details: auditLog.details,
      at: auditLog.at,
      actorName: users.name,
      actorEmail: users.email,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(PAGE_SIZE + 1)
    .offset((page - 1) * PAGE_SIZE)
    .then((rows) => ({ rows: rows.slice(0, PAGE_SIZE), hasMore: rows.length > PAGE_SIZE, page }))
}

/** The actions that occur in the log, for the filter. */
export async function listAuditActions() {
  const rows = await db.selectDistinct({ action: auditLog.action }).from(auditLog).orderBy(auditLog.action)
  return rows.map((r) => r.action)
}
