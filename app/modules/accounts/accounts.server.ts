/**
 * Accounts: organizations, people, invitations, sign-up, sign-in, password
 * and email changes. Each command validates, loads, checks who may do it,
 * then writes in one transaction; emails go through the outbox in that same
 * transaction and are delivered after commit.
 *
 * Expected failures come back as named outcomes with a message for the
 * person; a thrown error is a bug.
 */
import { and, asc, count, desc, eq, gt, inArray, isNull, ne, sql, TransactionRollbackError } from 'drizzle-orm'
import { db, type Executor } from '~/db/client.server'
import {
  calendarTokens,
  emailTokens,
  invitations,
  organizationDomains,
  outbox,
  sessions,
  organizations,
  users,
  type EmailTokenPurpose,
  type Role,
} from '~/db/schema'
import { recordAudit } from '~/modules/audit/audit.server'
import {
  checkNewPassword,
  hashPassword,
  HashingBusyError,
  type PasswordOwner,
  verifyAgainstDummy,
  verifyPassword,
} from '~/modules/auth/password.server'
import {
  createSession,
  invalidateSession,
  invalidateUserSessions,
  listUserSessions,
  type SessionMeta,
} from '~/modules/auth/session.server'
import {
  beginSignInAttempt,
  clearSignInFailures,
  forgetSignInAttempt,
} from '~/modules/auth/throttle.server'
import { generateLinkToken, hashLinkToken, isWellFormedLinkToken } from '~/modules/auth/tokens.server'
import { kickMailer, queueEmail } from '~/modules/email/email.server'
import { consumeLimit, limitMessage } from '~/utils/rate-limit.server'
import { renderEmail } from '~/modules/email/render.server'
import { absoluteUrl } from '~/utils/env.server'
import { fail, newId, ok, type Result } from '~/utils/result'
import { isUniqueViolation } from '~/utils/db-errors.server'

const HOUR_MS = 60 * 60 * 1000
export const INVITATION_LIFETIME_MS = 7 * 24 * HOUR_MS
export const PASSWORD_RESET_LIFETIME_MS = HOUR_MS
export const SIGN_UP_LIFETIME_MS = 24 * HOUR_MS
export const EMAIL_CHANGE_LIFETIME_MS = 24 * HOUR_MS

/** The person acting, as loaded from their session. */
export type Actor = { id: string; role: Role; organizationId: string; name: string; email: string }

export const isStaff = (actor: Pick<Actor, 'role'>) => actor.role === 'support' || actor.role === 'admin'
export const isAdmin = (actor: Pick<Actor, 'role'>) => actor.role === 'admin'

export const MESSAGES = {
  invalidCredentials: 'That email and password do not match an account. Check both and try again.',
  deactivated: 'This account has been deactivated. Ask your administrator to reactivate it.',
  throttled: (seconds: number) =>
    `Too many failed sign-ins. Wait ${Math.ceil(seconds / 60)} minute${seconds > 60 ? 's' : ''} and try again, or reset your password.`,
  busy: 'Switchboard is busy checking other sign-ins. Try again in a few seconds.',
  forbidden: 'Only administrators can do this.',
  organizationNotFound: 'That organization does not exist.',
  organizationNameTaken: 'Another organization already has this name.',
  domainTaken: (domain: string) => `The domain ${domain} already belongs to another organization.`,
  alreadyMember: 'Someone with this email already has an account.',
  staffRoleOutsideVendor: 'Support and admin roles are only for people of the vendor’s own organization.',
  linkInvalid: 'This link is not valid. Check that you copied all of it, or ask for a new one.',
  linkExpired: 'This link has expired. Ask for a new one.',
  linkUsed: 'This link has already been used. Sign in, or ask for a new one.',
  invitationRevoked: 'This invitation was withdrawn. Ask your administrator for a new one.',
  emailTaken: 'An account with this email already exists. Sign in instead.',
  domainNotAllowed:
    'Sign-up is not open for this email domain. Ask your organization’s administrator for an invitation.',
  wrongPassword: 'Your current password is not correct.',
  sameEmail: 'This is already your email address.',
  userNotFound: 'That person does not exist.',
  selfDeactivation: 'You cannot deactivate your own account.',
  lastAdmin: 'This is the last active administrator; make someone else an admin first.',
} as const

// -- helpers ------------------------------------------------------------------

/** A new password's first problem as a failure on the password field, or null. */
async function passwordFailure(password: string, owner: PasswordOwner) {
  const verdict = await checkNewPassword(password, owner)
  return verdict ? fail('weak_password', verdict.message, 'password') : null
}

function domainOf(email: string) {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase()
}

async function findUserByEmail(email: string, executor: Executor = db) {
  const [user] = await executor.select().from(users).where(eq(users.email, email.toLowerCase())).limit(1)
  return user ?? null
}

type LinkCheck<T> = Result<T, 'invalid' | 'expired' | 'used'>

/** Finds an unused, unexpired emailed token of `purpose`. */
async function findEmailToken(
  token: string | undefined,
  purpose: EmailTokenPurpose,
  executor: Executor = db,
): Promise<LinkCheck<typeof emailTokens.$inferSelect>> {
  if (!isWellFormedLinkToken(token)) return fail('invalid', MESSAGES.linkInvalid)
  const [row] = await executor
    .select()
    .from(emailTokens)
    .where(and(eq(emailTokens.tokenHash, hashLinkToken(token)), eq(emailTokens.purpose, purpose)))
    .limit(1)
  if (!row) return fail('invalid', MESSAGES.linkInvalid)
  if (row.usedAt) return fail('used', MESSAGES.linkUsed)
  if (row.expiresAt.getTime() <= Date.now()) return fail('expired', MESSAGES.linkExpired)
  return ok(row)
}

/** Marks a token used, only if nobody else did first: the guard against double use. */
async function consumeEmailToken(tx: Executor, id: string) {
  const [row] = await tx
    .update(emailTokens)
    .set({ usedAt: new Date() })
    .where(and(eq(emailTokens.id, id), isNull(emailTokens.usedAt)))
    .returning({ id: emailTokens.id })
  return Boolean(row)
}

async function issueEmailToken(
  tx: Executor,
  values: { purpose: EmailTokenPurpose; email: string; userId?: string; organizationId?: string; lifetimeMs: number },
) {
  const token = generateLinkToken()
  await tx.insert(emailTokens).values({
    id: newId(),
    tokenHash: hashLinkToken(token),
    purpose: values.purpose,
    email: values.email,
    userId: values.userId ?? null,
    organizationId: values.organizationId ?? null,
    expiresAt: new Date(Date.now() + values.lifetimeMs),
  })
  return token
}

/** A security email refused by the recipient's rate limit: a failure on the email field, with the wait. */
function rateLimited(retryAfter: number) {
  return { ...fail('rate_limited', limitMessage('security-email', retryAfter), 'email'), retryAfter }
}

// -- sign-in ------------------------------------------------------------------

export type SignInInput = { email: string; password: string }
export type SignInOutcome = Result<
  { token: string; expiresAt: Date; userId: string },
  'invalid_credentials' | 'deactivated' | 'throttled' | 'busy'
> & { retryAfter?: number }

/**
 * Checks an email and password and opens a session. Unknown emails and wrong
 * passwords get the same message and take the same time (a dummy hash is
 * verified). Too many failures answer `throttled` with `retryAfter` seconds.
 */
export async function signIn(input: SignInInput, meta: SessionMeta = {}): Promise<SignInOutcome> {
  const email = input.email.toLowerCase()
  const ip = meta.ipAddress ?? null
  // Counted as a failure from the start, so parallel attempts cannot slip past the limit.
  const attempt = await beginSignInAttempt(email, ip)
  if (attempt.retryAfter > 0) {
    return { ...fail('throttled', MESSAGES.throttled(attempt.retryAfter)), retryAfter: attempt.retryAfter }
  }

  const user = await findUserByEmail(email)
  let valid: boolean
  try {
    valid = user ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password)
  } catch (error) {
    await forgetSignInAttempt(attempt)
    if (error instanceof HashingBusyError) return fail('busy', MESSAGES.busy)
    throw error
  }
  // A wrong guess stays recorded.
  if (!user || !valid) return fail('invalid_credentials', MESSAGES.invalidCredentials)
  await forgetSignInAttempt(attempt)
  if (!user.active) return fail('deactivated', MESSAGES.deactivated)

  const { token, session } = await db.transaction(async (tx) => {
    await tx.update(users).set({ lastSignInAt: new Date() }).where(eq(users.id, user.id))
    return createSession(user.id, meta, tx)
  })
  await clearSignInFailures(email)
  return ok({ token, expiresAt: session.expiresAt, userId: user.id })
}

/** Ends the current session. */
export async function signOut(sessionId: string) {
  await invalidateSession(sessionId)
}

// -- organizations (admins) ------------------------------------------------------

export type OrganizationInput = { name: string; domains: string[] }

/** Lists organizations with their domains and member counts. Admins only. */
export async function listOrganizations(actor: Actor) {
  if (!isAdmin(actor)) return fail('forbidden', MESSAGES.forbidden)
  const rows = await db
    .select({
      id: organizations.id,
      name: organizations.name,
      isVendor: organizations.isVendor,
      createdAt: organizations.createdAt,
      members: count(users.id),
    })
    .from(organizations)
    .leftJoin(users, eq(users.organizationId, organizations.id))
    .groupBy(organizations.id)
    .orderBy(desc(organizations.isVendor), asc(organizations.name))
  const domains = await db.select().from(organizationDomains).orderBy(asc(organizationDomains.domain))
  return ok(
    rows.map((row) => ({
      ...row,
      domains: domains.filter((d) => d.organizationId === row.id).map((d) => d.domain),
    })),
  )
}

/** One organization with its domains, people and open invitations. Admins only. */
export async function getOrganization(actor: Actor, organizationId: string) {
  if (!isAdmin(actor)) return fail('forbidden', MESSAGES.forbidden)
  const [organization] = await db.select().from(organizations).where(eq(organizations.id, organizationId))
  if (!organization) return fail('not_found', MESSAGES.organizationNotFound)
  const [domains, members, pending] = await Promise.all([
    db
      .select({ domain: organizationDomains.domain })
      .from(organizationDomains)
      .where(eq(organizationDomains.organizationId, organizationId))
      .orderBy(asc(organizationDomains.domain)),
    db
      .select({
        id: users.id,
        name: users.name,
        email: users.email,
        role: users.role,
        active: users.active,
        lastSignInAt: users.lastSignInAt,
      })
      .from(users)
      .where(eq(users.organizationId, organizationId))
      .orderBy(asc(users.name)),
    db
      .select({
        id: invitations.id,
        email: invitations.email,
        role: invitations.role,
        createdAt: invitations.createdAt,
        expiresAt: invitations.expiresAt,
      })
      .from(invitations)
      .where(
        and(
          eq(invitations.organizationId, organizationId),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
          gt(invitations.expiresAt, new Date()),
        ),
      )
      .orderBy(desc(invitations.createdAt)),
  ])
  return ok({ ...organization, domains: domains.map((d) => d.domain), members, invitations: pending })
}

/** The first of `domains` that already belongs to another organization, as a failure. */
async function findDomainClash(tx: Executor, organizationId: string | null, domains: string[]) {
  if (!domains.length) return null
  const [clash] = await tx
    .select({ domain: organizationDomains.domain })
    .from(organizationDomains)
    .where(
      and(
        inArray(organizationDomains.domain, domains),
        organizationId ? ne(organizationDomains.organizationId, organizationId) : undefined,
      ),
    )
    .limit(1)
  return clash ? fail('domain_taken', MESSAGES.domainTaken(clash.domain), 'domains') : null
}

async function replaceDomains(tx: Executor, organizationId: string, domains: string[]) {
  await tx.delete(organizationDomains).where(eq(organizationDomains.organizationId, organizationId))
  if (domains.length) {
    await tx.insert(organizationDomains).values(domains.map((domain) => ({ domain, organizationId })))
  }
}

/** Creates a customer organization with its allowed sign-up domains. Admins only. */
export async function createOrganization(actor: Actor, input: OrganizationInput) {
  if (!isAdmin(actor)) return fail('forbidden', MESSAGES.forbidden)
  try {
    return await db.transaction(async (tx) => {
      const [existing] = await tx
        .select({ id: organizations.id })
        .from(organizations)
        .where(sql`lower(${organizations.name}) = lower(${input.name})`)
      if (existing) return fail('name_taken', MESSAGES.organizationNameTaken, 'name')
      const clash = await findDomainClash(tx, null, input.domains)
      if (clash) return clash
      const id = newId()
      await tx.insert(organizations).values({ id, name: input.name })
      await replaceDomains(tx, id, input.domains)
      await recordAudit(tx, {
        actorId: actor.id,
        action: 'organization.create',
        subjectType: 'organization',
        subjectId: id,
        details: { name: input.name, domains: input.domains },
      })
      return ok({ id })
    })
  } catch (error) {
    // Two admins creating the same name or domain at once: the constraints decide.
    if (isUniqueViolation(error, 'organizations_name_lower_key')) {
      return fail('name_taken', MESSAGES.organizationNameTaken, 'name')
    }
    if (isUniqueViolation(error, 'organization_domains_pkey')) {
      return fail('domain_taken', 'One of these domains was just given to another organization.', 'domains')
    }
    throw error
  }
}

/** Replaces an organization's allowed sign-up domains. Admins only. */
export async function setOrganizationDomains(actor: Actor, organizationId: string, domains: string[]) {
  if (!isAdmin(actor)) return fail('forbidden', MESSAGES.forbidden)
  return db.transaction(async (tx) => {
    const [organization] = await tx
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.id, organizationId))
    if (!organization) return fail('not_found', MESSAGES.organizationNotFound)
    const clash = await findDomainClash(tx, organizationId, domains)
    if (clash) return clash
    await replaceDomains(tx, organizationId, domains)
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'organization.domains',
      subjectType: 'organization',
      subjectId: organizationId,
      details: { domains },
    })
    return ok()
  })
}

// -- invitations ------------------------------------------------------------------

export type InviteInput = { organizationId: string; email: string; role: Role }

/**
 * Invites an email into an organization with a role and emails a single-use
 * link valid for 7 days. Inviting the same email again withdraws the older
 * open invitation. Admins only. Past the address's limit of security emails
 * ("security-email") answers `rate_limited` with `retryAfter` seconds.
 */
export async function inviteUser(actor: Actor, input: InviteInput) {
  if (!isAdmin(actor)) return fail('forbidden', MESSAGES.forbidden)
  const email = input.email.toLowerCase()
  const result = await db.transaction(async (tx) => {
    const [organization] = await tx.select().from(organizations).where(eq(organizations.id, input.organizationId))
    if (!organization) return fail('not_found', MESSAGES.organizationNotFound)
    if (input.role !== 'customer' && !organization.isVendor) {
      return fail('role_not_allowed', MESSAGES.staffRoleOutsideVendor, 'role')
    }
    if (await findUserByEmail(email, tx)) return fail('already_member', MESSAGES.alreadyMember, 'email')
    // A few security emails an hour per address. The admin may be told: they
    // chose the address, and nothing about an account is revealed.
    const limit = await consumeLimit('security-email', email, tx)
    if (!limit.ok) return rateLimited(limit.retryAfter)

    await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(and(eq(invitations.email, email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    const token = generateLinkToken()
    const id = newId()
    await tx.insert(invitations).values({
      id,
      tokenHash: hashLinkToken(token),
      email,
      organizationId: organization.id,
      role: input.role,
      invitedById: actor.id,
      expiresAt: new Date(Date.now() + INVITATION_LIFETIME_MS),
    })
    await queueEmail(tx, {
      to: email,
      dedupeKey: `invitation:${id}`,
      ...renderEmail({
        subject: `${actor.name} invited you to Switchboard`,
        greeting: 'Hello,',
        paragraphs: [
          `${actor.name} invited you to join ${organization.name} on Switchboard, where customers share problems, workarounds and plans, and support connects people who can help each other.`,
          'Open the link below to choose your name and password. It works once and expires in 7 days.',
        ],
        action: { label: 'Accept the invitation', url: absoluteUrl(`/invitations/${token}`) },
        footer: 'If you did not expect this invitation, you can ignore this email.',
      }),
    })
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'invitation.create',
      subjectType: 'invitation',
      subjectId: id,
      details: { email, role: input.role, organizationId: organization.id },
    })
    return ok({ id, token })
  })
  if (result.ok) kickMailer()
  return result
}

/** Withdraws an open invitation. Admins only. */
export async function revokeInvitation(actor: Actor, invitationId: string) {
  if (!isAdmin(actor)) return fail('forbidden', MESSAGES.forbidden)
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(and(eq(invitations.id, invitationId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .returning({ id: invitations.id })
    if (!row) return fail('not_found', 'That invitation is not open any more.')
    await recordAudit(tx, { actorId: actor.id, action: 'invitation.revoke', subjectType: 'invitation', subjectId: row.id })
    return ok()
  })
}

// -- accounts made for people (npm run import) ----------------------------------------

/**
 * The stored "hash" of an account made for someone who has not chosen a
 * password yet (people brought in by `npm run import`). It is not a PHC
 * string, so no password ever verifies against it: nobody can sign in to
 * the account until its owner proves the address with a password link (the
 * import's --invite email, or "Forgot your password?").
 */
export const NO_PASSWORD_HASH = '!no-password'

/**
 * Queues, in the caller's transaction, an email that gives a person whose
 * account was made for them a single-use link to choose a password, valid as
 * long as an invitation. Only for active accounts that still have no
 * password, and once per account: answers false otherwise. The caller
 * delivers the outbox after commit.
 */
export async function queuePasswordSetupEmail(tx: Executor, userId: string): Promise<boolean> {
  const [person] = await tx
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      active: users.active,
      passwordHash: users.passwordHash,
      organizationName: organizations.name,
    })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(eq(users.id, userId))
  if (!person || !person.active || person.passwordHash !== NO_PASSWORD_HASH) return false
  const dedupeKey = `password-setup:${person.id}`
  const [queued] = await tx.select({ id: outbox.id }).from(outbox).where(eq(outbox.dedupeKey, dedupeKey))
  if (queued) return false
  // A password-reset token: the reset page is exactly "choose a password for this account".
  const token = await issueEmailToken(tx, {
    purpose: 'password_reset',
    email: person.email,
    userId: person.id,
    lifetimeMs: INVITATION_LIFETIME_MS,
  })
  await queueEmail(tx, {
    to: person.email,
    dedupeKey,
    ...renderEmail({
      subject: 'Your Switchboard account is ready',
      greeting: `Hello ${person.name},`,
      paragraphs: [
        `An account was made for you in ${person.organizationName} on Switchboard, with the problems, workarounds and stories you shared before. Customers share what they run into there, and support connects people who can help each other.`,
        'Choose your password with the link below to sign in. It works once and expires in 7 days; after that, use “Forgot your password?” on the sign-in page.',
      ],
      action: { label: 'Choose my password', url: absoluteUrl(`/reset-password/${token}`) },
      footer: 'If you did not expect this email, you can ignore it; nobody can sign in to the account without this link.',
    }),
  })
  return true
}

type InvitationCheck = Result<
  { id: string; email: string; role: Role; organizationId: string; organizationName: string },
  'invalid' | 'expired' | 'used' | 'revoked'
>

/** What an invitation link offers, if it can still be used. Anyone with the link may ask. */
export async function getInvitation(token: string | undefined, executor: Executor = db): Promise<InvitationCheck> {
  if (!isWellFormedLinkToken(token)) return fail('invalid', MESSAGES.linkInvalid)
  const [row] = await executor
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      organizationId: invitations.organizationId,
      organizationName: organizations.name,
      expiresAt: invitations.expiresAt,
      acceptedAt: invitations.acceptedAt,
      revokedAt: invitations.revokedAt,
    })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.organizationId))
    .where(eq(invitations.tokenHash, hashLinkToken(token)))
    .limit(1)
  if (!row) return fail('invalid', MESSAGES.linkInvalid)
  if (row.acceptedAt) return fail('used', MESSAGES.linkUsed)
  if (row.revokedAt) return fail('revoked', MESSAGES.invitationRevoked)
  if (row.expiresAt.getTime() <= Date.now()) return fail('expired', MESSAGES.linkExpired)
  const { expiresAt: _e, acceptedAt: _a, revokedAt: _r, ...invitation } = row
  return ok(invitation)
}

export type NewAccountInput = { name: string; password: string }

/**
 * Creates the invited account and signs it in. The invitation is consumed in
 * the same transaction, so a link used twice at once creates one account.
 */
export async function acceptInvitation(token: string | undefined, input: NewAccountInput, meta: SessionMeta = {}) {
  const check = await getInvitation(token)
  if (!check.ok) return check
  const weak = await passwordFailure(input.password, { name: input.name, email: check.value.email })
  if (weak) return weak
  const passwordHash = await hashPassword(input.password)
  try {
    return await db.transaction(async (tx) => {
      const invitation = await getInvitation(token, tx)
      if (!invitation.ok) return invitation
      if (await findUserByEmail(invitation.value.email, tx)) return fail('email_taken', MESSAGES.emailTaken)
      const userId = newId()
      await tx.insert(users).values({
        id: userId,
        organizationId: invitation.value.organizationId,
        email: invitation.value.email,
        name: input.name,
        role: invitation.value.role,
        passwordHash,
        lastSignInAt: new Date(),
      })
      const [claimed] = await tx
        .update(invitations)
        .set({ acceptedAt: new Date(), acceptedUserId: userId })
        .where(and(eq(invitations.id, invitation.value.id), isNull(invitations.acceptedAt)))
        .returning({ id: invitations.id })
      if (!claimed) {
        tx.rollback()
      }
      await recordAudit(tx, {
        actorId: userId,
        action: 'invitation.accept',
        subjectType: 'invitation',
        subjectId: invitation.value.id,
      })
      const { token: sessionToken, session } = await createSession(userId, meta, tx)
      return ok({ userId, token: sessionToken, expiresAt: session.expiresAt })
    })
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_key')) return fail('email_taken', MESSAGES.emailTaken)
    if (isRollback(error)) return fail('used', MESSAGES.linkUsed)
    throw error
  }
}

function isRollback(error: unknown) {
  return error instanceof TransactionRollbackError
}

// -- sign-up by allowed domain -------------------------------------------------------

/**
 * Starts a sign-up for an email whose domain an admin allowed. Emails a
 * confirmation link (24 hours). If the email already has an account, that
 * address is told so instead; the page shows the same either way, so the
 * form cannot be used to find out who has an account. Past the address's
 * limit of security emails ("security-email") nothing is sent, silently.
 */
export async function requestSignUp(emailInput: string) {
  const email = emailInput.toLowerCase()
  const [domain] = await db
    .select({ organizationId: organizationDomains.organizationId, organizationName: organizations.name })
    .from(organizationDomains)
    .innerJoin(organizations, eq(organizations.id, organizationDomains.organizationId))
    .where(eq(organizationDomains.domain, domainOf(email)))
  if (!domain) return fail('domain_not_allowed', MESSAGES.domainNotAllowed, 'email')

  await db.transaction(async (tx) => {
    // Past the address's limit nothing is sent, silently: the page must look
    // the same whether or not the address has an account.
    if (!(await consumeLimit('security-email', email, tx)).ok) return
    const existing = await findUserByEmail(email, tx)
    if (existing) {
      await queueEmail(tx, {
        to: email,
        dedupeKey: `sign-up-existing:${email}:${Math.floor(Date.now() / HOUR_MS)}`,
        ...renderEmail({
          subject: 'You already have a Switchboard account',
          greeting: `Hello ${existing.name},`,
          paragraphs: [
            'Someone asked to create a Switchboard account with this email address, but you already have one.',
            'Sign in with it, or reset your password if you have forgotten it.',
          ],
          action: { label: 'Sign in', url: absoluteUrl('/login') },
          footer: 'If this was not you, you can ignore this email; nothing was changed.',
        }),
      })
      return
    }
    const token = await issueEmailToken(tx, {
      purpose: 'sign_up',
      email,
      organizationId: domain.organizationId,
      lifetimeMs: SIGN_UP_LIFETIME_MS,
    })
    await queueEmail(tx, {
      to: email,
      dedupeKey: `sign-up:${token}`,
      ...renderEmail({
        subject: 'Confirm your email to join Switchboard',
        greeting: 'Hello,',
        paragraphs: [
          `You asked to join ${domain.organizationName} on Switchboard. Confirm that this address is yours and choose a password with the link below.`,
          'The link works once and expires in 24 hours.',
        ],
        action: { label: 'Confirm and create my account', url: absoluteUrl(`/signup/${token}`) },
        footer: 'If you did not ask for this, ignore this email; no account is created.',
      }),
    })
  })
  kickMailer()
  return ok()
}

/** What a sign-up confirmation link offers, if still usable. */
export async function getSignUp(token: string | undefined) {
  const check = await findEmailToken(token, 'sign_up')
  if (!check.ok) return check
  const [organization] = await db
    .select({ name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, check.value.organizationId ?? ''))
  if (!organization) return fail('invalid', MESSAGES.linkInvalid)
  return ok({ email: check.value.email, organizationName: organization.name })
}

/** Creates the account of a confirmed sign-up and signs it in. */
export async function completeSignUp(token: string | undefined, input: NewAccountInput, meta: SessionMeta = {}) {
  const check = await findEmailToken(token, 'sign_up')
  if (!check.ok) return check
  const weak = await passwordFailure(input.password, { name: input.name, email: check.value.email })
  if (weak) return weak
  const passwordHash = await hashPassword(input.password)
  try {
    return await db.transaction(async (tx) => {
      const fresh = await findEmailToken(token, 'sign_up', tx)
      if (!fresh.ok) return fresh
      const { email, organizationId } = fresh.value
      if (!organizationId) return fail('invalid', MESSAGES.linkInvalid)
      if (await findUserByEmail(email, tx)) return fail('email_taken', MESSAGES.emailTaken)
      if (!(await consumeEmailToken(tx, fresh.value.id))) return fail('used', MESSAGES.linkUsed)
      const userId = newId()
      await tx.insert(users).values({
        id: userId,
        organizationId,
        email,
        name: input.name,
        role: 'customer',
        passwordHash,
        lastSignInAt: new Date(),
      })
      await recordAudit(tx, { actorId: userId, action: 'user.sign_up', subjectType: 'user', subjectId: userId })
      const { token: sessionToken, session } = await createSession(userId, meta, tx)
      return ok({ userId, token: sessionToken, expiresAt: session.expiresAt })
    })
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_key')) return fail('email_taken', MESSAGES.emailTaken)
    throw error
  }
}

// -- forgotten password -----------------------------------------------------------------

/**
 * Emails a password-reset link (single use, 1 hour) if the email belongs to
 * an active account. Answers the same either way — and does the same work
 * either way, because a faster answer for unknown addresses told an
 * attacker which ones have accounts (184 ms against 101 ms): both paths
 * look the person up, retire older links, generate and hash a token,
 * render the email and write one row more in the same transaction. For an
 * account that row is the outbox message; for an unknown or deactivated
 * address it is an audit entry (so admins can see addresses being probed),
 * and the token row is stored already used and expired, so it opens
 * nothing. The message is committed before the answer, so a process that
 * dies right after answering loses no email.
 *
 * Past the address's limit of security emails ("security-email") nothing is
 * sent and no link replaces the last one, also silently: that limit is per
 * address, so it tells nothing about whether the address has an account.
 */
export async function requestPasswordReset(emailInput: string) {
  const email = emailInput.toLowerCase()
  const found = await findUserByEmail(email)
  const user = found?.active ? found : null
  await db.transaction(async (tx) => {
    // Past the address's limit nothing is sent (and no new link replaces the
    // last one), silently: the page must not tell who has an account.
    if (!(await consumeLimit('security-email', email, tx)).ok) return
    const now = new Date()
    // A new link replaces older unused ones (nobody's, for an unknown address).
    await tx
      .update(emailTokens)
      .set({ usedAt: now })
      .where(and(eq(emailTokens.userId, user?.id ?? ''), eq(emailTokens.purpose, 'password_reset'), isNull(emailTokens.usedAt)))
    const token = generateLinkToken()
    await tx.insert(emailTokens).values({
      id: newId(),
      tokenHash: hashLinkToken(token),
      purpose: 'password_reset',
      email,
      userId: user?.id ?? null,
      // Dead on arrival when there is no account: same write, no usable link.
      usedAt: user ? null : now,
      expiresAt: user ? new Date(now.getTime() + PASSWORD_RESET_LIFETIME_MS) : now,
    })
    const message = renderEmail({
      subject: 'Reset your Switchboard password',
      greeting: `Hello ${user?.name ?? 'there'},`,
      paragraphs: [
        'Someone asked to reset the password of your Switchboard account. Choose a new one with the link below.',
        'The link works once and expires in one hour.',
      ],
      action: { label: 'Choose a new password', url: absoluteUrl(`/reset-password/${token}`) },
      footer: 'If you did not ask for this, ignore this email; your password stays as it is.',
    })
    if (user) {
      await queueEmail(tx, { to: email, dedupeKey: `password-reset:${token}`, ...message })
    } else {
      await recordAudit(tx, {
        actorId: null,
        action: 'password_reset.unknown_email',
        subjectType: 'email',
        details: { email },
      })
    }
  })
  kickMailer()
  return ok()
}

/** Whether a password-reset link can still be used. */
export async function getPasswordReset(token: string | undefined) {
  const check = await findEmailToken(token, 'password_reset')
  if (!check.ok) return check
  return ok({ email: check.value.email })
}

/** Sets a new password from a reset link, ends every session, and opens a new one. */
export async function resetPassword(token: string | undefined, password: string, meta: SessionMeta = {}) {
  const check = await findEmailToken(token, 'password_reset')
  if (!check.ok) return check
  const [owner] = await db.select({ name: users.name }).from(users).where(eq(users.id, check.value.userId ?? ''))
  const weak = await passwordFailure(password, { name: owner?.name, email: check.value.email })
  if (weak) return weak
  const passwordHash = await hashPassword(password)
  return db.transaction(async (tx) => {
    const fresh = await findEmailToken(token, 'password_reset', tx)
    if (!fresh.ok) return fresh
    const userId = fresh.value.userId
    const [user] = await tx.select().from(users).where(eq(users.id, userId ?? ''))
    if (!user || !user.active) return fail('invalid', MESSAGES.linkInvalid)
    if (!(await consumeEmailToken(tx, fresh.value.id))) return fail('used', MESSAGES.linkUsed)
    await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, user.id))
    await invalidateUserSessions(user.id, {}, tx)
    await recordAudit(tx, { actorId: user.id, action: 'user.password_reset', subjectType: 'user', subjectId: user.id })
    const session = await createSession(user.id, meta, tx)
    return ok({ userId: user.id, token: session.token, expiresAt: session.session.expiresAt })
  })
}

// -- own account -----------------------------------------------------------------------

/** The signed-in person's own profile. */
export async function getOwnProfile(actor: Actor) {
  const [row] = await db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      createdAt: users.createdAt,
      organizationName: organizations.name,
    })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(eq(users.id, actor.id))
  return row ?? null
}

/** Updates the actor's own name. Role, organization and email are never taken from this form. */
export async function updateProfile(actor: Actor, input: { name: string }) {
  await db.transaction(async (tx) => {
    await tx.update(users).set({ name: input.name, updatedAt: new Date() }).where(eq(users.id, actor.id))
    await recordAudit(tx, { actorId: actor.id, action: 'user.profile', subjectType: 'user', subjectId: actor.id })
  })
  return ok()
}

/**
 * Changes the actor's password after checking the current one. Every session
 * ends, including the current one, which is replaced by a new session.
 */
export async function changePassword(
  actor: Actor,
  input: { currentPassword: string; password: string },
  meta: SessionMeta = {},
) {
  const [user] = await db.select().from(users).where(eq(users.id, actor.id))
  if (!user) return fail('not_found', MESSAGES.userNotFound)
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    return fail('wrong_password', MESSAGES.wrongPassword, 'currentPassword')
  }
  const weak = await passwordFailure(input.password, user)
  if (weak) return weak
  const passwordHash = await hashPassword(input.password)
  const result = await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, actor.id))
    await invalidateUserSessions(actor.id, {}, tx)
    await queueEmail(tx, {
      to: user.email,
      dedupeKey: `password-changed:${actor.id}:${Date.now()}`,
      ...renderEmail({
        subject: 'Your Switchboard password was changed',
        greeting: `Hello ${user.name},`,
        paragraphs: [
          'The password of your Switchboard account was just changed, and every other session was signed out.',
        ],
        action: { label: 'Reset your password', url: absoluteUrl('/forgot-password') },
        footer: 'If you did not do this, reset your password now with the link above and tell your administrator.',
      }),
    })
    await recordAudit(tx, { actorId: actor.id, action: 'user.password_change', subjectType: 'user', subjectId: actor.id })
    const session = await createSession(actor.id, meta, tx)
    return ok({ token: session.token, expiresAt: session.session.expiresAt })
  })
  kickMailer()
  return result
}

/**
 * Starts an email change: after checking the password, emails a confirmation
 * link to the new address. Nothing changes until that link is opened. Past
 * the new address's limit of security emails answers `rate_limited` with
 * `retryAfter` seconds.
 */
export async function requestEmailChange(actor: Actor, input: { email: string; currentPassword: string }) {
  const email = input.email.toLowerCase()
  const [user] = await db.select().from(users).where(eq(users.id, actor.id))
  if (!user) return fail('not_found', MESSAGES.userNotFound)
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    return fail('wrong_password', MESSAGES.wrongPassword, 'currentPassword')
  }
  if (email === user.email) return fail('same_email', MESSAGES.sameEmail, 'email')
  if (await findUserByEmail(email)) return fail('email_taken', 'Another account already uses this email address.', 'email')
  const refused = await db.transaction(async (tx) => {
    // A few security emails an hour per address; the person asking is signed in and told.
    const limit = await consumeLimit('security-email', email, tx)
    if (!limit.ok) return limit
    await tx
      .update(emailTokens)
      .set({ usedAt: new Date() })
      .where(and(eq(emailTokens.userId, user.id), eq(emailTokens.purpose, 'email_change'), isNull(emailTokens.usedAt)))
    const token = await issueEmailToken(tx, {
      purpose: 'email_change',
      email,
      userId: user.id,
      lifetimeMs: EMAIL_CHANGE_LIFETIME_MS,
    })
    await queueEmail(tx, {
      to: email,
      dedupeKey: `email-change:${token}`,
      ...renderEmail({
        subject: 'Confirm your new email address for Switchboard',
        greeting: `Hello ${user.name},`,
        paragraphs: [
          'You asked to use this address for your Switchboard account. Confirm it with the link below; until then your old address stays in use.',
          'The link works once and expires in 24 hours.',
        ],
        action: { label: 'Confirm my new address', url: absoluteUrl(`/email-change/${token}`) },
        footer: 'If you did not ask for this, ignore this email; nothing changes.',
      }),
    })
    return null
  })
  if (refused) return rateLimited(refused.retryAfter)
  kickMailer()
  return ok({ email })
}

/** Confirms an email change from the link sent to the new address, and tells the old address. */
export async function confirmEmailChange(token: string | undefined) {
  const check = await findEmailToken(token, 'email_change')
  if (!check.ok) return check
  try {
    const result = await db.transaction(async (tx) => {
      const fresh = await findEmailToken(token, 'email_change', tx)
      if (!fresh.ok) return fresh
      const [user] = await tx.select().from(users).where(eq(users.id, fresh.value.userId ?? ''))
      if (!user || !user.active) return fail('invalid', MESSAGES.linkInvalid)
      const taken = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.email, fresh.value.email), ne(users.id, user.id)))
      if (taken.length) return fail('email_taken', 'Another account already uses this email address.')
      if (!(await consumeEmailToken(tx, fresh.value.id))) return fail('used', MESSAGES.linkUsed)
      await tx.update(users).set({ email: fresh.value.email, updatedAt: new Date() }).where(eq(users.id, user.id))
      await queueEmail(tx, {
        to: user.email,
        dedupeKey: `email-changed:${fresh.value.id}`,
        ...renderEmail({
          subject: 'Your Switchboard email address was changed',
          greeting: `Hello ${user.name},`,
          paragraphs: [
            `The email address of your Switchboard account was changed from ${user.email} to ${fresh.value.email}. Messages now go to the new address.`,
          ],
          footer: 'If you did not do this, tell your administrator at once: someone else may have access to your account.',
        }),
      })
      await recordAudit(tx, {
        actorId: user.id,
        action: 'user.email_change',
        subjectType: 'user',
        subjectId: user.id,
        details: { from: user.email, to: fresh.value.email },
      })
      return ok({ userId: user.id, email: fresh.value.email })
    })
    kickMailer()
    return result
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_key')) {
      return fail('email_taken', 'Another account already uses this email address.')
    }
    throw error
  }
}

// -- administering people ---------------------------------------------------------------

/**
 * Counts active admins and locks their rows until the transaction ends, so
 * two admins deactivating each other at once cannot both see "two left":
 * the second waits for the first, then counts again.
 */
async function countActiveAdmins(tx: Executor) {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'admin'), eq(users.active, true)))
    .orderBy(asc(users.id))
    .for('update')
  return rows.length
}

/**
 * Deactivates a person: they cannot sign in, every session of theirs ends at
 * once, and their secret calendar address dies (reactivating does not bring
 * it back). Admins only.
 */
export async function deactivateUser(actor: Actor, userId: string) {
  if (!isAdmin(actor)) return fail('forbidden', MESSAGES.forbidden)
  if (userId === actor.id) return fail('self', MESSAGES.selfDeactivation)
  return db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, userId))
    if (!user) return fail('not_found', MESSAGES.userNotFound)
    if (user.role === 'admin' && user.active && (await countActiveAdmins(tx)) <= 1) {
      return fail('last_admin', MESSAGES.lastAdmin)
    }
    await tx.update(users).set({ active: false, updatedAt: new Date() }).where(eq(users.id, userId))
    await invalidateUserSessions(userId, {}, tx)
    await tx.delete(calendarTokens).where(eq(calendarTokens.userId, userId))
    await recordAudit(tx, { actorId: actor.id, action: 'user.deactivate', subjectType: 'user', subjectId: userId })
    return ok()
  })
}

/**
 * Changes a person's role. Support and admin roles belong to the vendor's
 * organization; the last active admin keeps the role. Admins only.
 */
export async function changeUserRole(actor: Actor, userId: string, role: Role) {
  if (!isAdmin(actor)) return fail('forbidden', MESSAGES.forbidden)
  return db.transaction(async (tx) => {
    const [user] = await tx
      .select({ id: users.id, role: users.role, active: users.active, isVendor: organizations.isVendor })
      .from(users)
      .innerJoin(organizations, eq(organizations.id, users.organizationId))
      .where(eq(users.id, userId))
      .for('update', { of: users })
    if (!user) return fail('not_found', MESSAGES.userNotFound)
    if (user.role === role) return ok()
    if (role !== 'customer' && !user.isVendor) return fail('role_not_allowed', MESSAGES.staffRoleOutsideVendor, 'role')
    if (user.role === 'admin' && user.active && (await countActiveAdmins(tx)) <= 1) {
      return fail('last_admin', MESSAGES.lastAdmin)
    }
    await tx.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, userId))
    // Sessions read the role on every request, so the change takes effect at once.
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'user.role',
      subjectType: 'user',
      subjectId: userId,
      details: { from: user.role, to: role },
    })
    return ok()
  })
}

/** Lets a deactivated person sign in again. Admins only. */
export async function reactivateUser(actor: Actor, userId: string) {
  if (!isAdmin(actor)) return fail('forbidden', MESSAGES.forbidden)
  return db.transaction(async (tx) => {
    const [user] = await tx
      .update(users)
      .set({ active: true, updatedAt: new Date() })
      .where(eq(users.id, userId))
      .returning({ id: users.id })
    if (!user) return fail('not_found', MESSAGES.userNotFound)
    await recordAudit(tx, { actorId: actor.id, action: 'user.reactivate', subjectType: 'user', subjectId: userId })
    return ok()
  })
}

// -- first admin (command line) ---------------------------------------------------------

/**
 * Creates an admin account from the command line (`npm run admin:create`),
 * with the vendor organization if there is none yet.
 */
export async function createAdminAccount(input: { email: string; name: string; password: string; organizationName?: string }) {
  const weak = await passwordFailure(input.password, input)
  if (weak) return weak
  const email = input.email.toLowerCase()
  if (await findUserByEmail(email)) return fail('email_taken', MESSAGES.emailTaken, 'email')
  const passwordHash = await hashPassword(input.password)
  try {
    return await db.transaction(async (tx) => {
      let [vendor] = await tx.select().from(organizations).where(eq(organizations.isVendor, true)).limit(1)
      if (!vendor) {
        const id = newId()
        ;[vendor] = await tx
          .insert(organizations)
          .values({ id, name: input.organizationName ?? 'Vendor', isVendor: true })
          .returning()
      }
      const userId = newId()
      await tx.insert(users).values({
        id: userId,
        organizationId: vendor!.id,
        email,
        name: input.name,
        role: 'admin',
        passwordHash,
      })
      await recordAudit(tx, { actorId: null, action: 'user.create_admin', subjectType: 'user', subjectId: userId })
      return ok({ userId, organizationId: vendor!.id })
    })
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_key')) return fail('email_taken', MESSAGES.emailTaken, 'email')
    throw error
  }
}

// -- own sessions --------------------------------------------------------------------------

/** The actor's live sessions, most recently used first. */
export async function listOwnSessions(actor: Actor) {
  return listUserSessions(actor.id)
}

/** Ends one of the actor's own sessions; someone else's session id is simply not found. */
export async function signOutSession(actor: Actor, sessionId: string) {
  const [row] = await db
    .delete(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, actor.id)))
    .returning({ id: sessions.id })
  return row ? ok() : fail('not_found', 'That session has already ended.')
}

/** Ends every session of the actor but the current one. */
export async function signOutOtherSessions(actor: Actor, currentSessionId: string) {
  await invalidateUserSessions(actor.id, { except: currentSessionId })
  return ok()
}
