/**
 * Single-use tokens for emailed links (invitations, sign-up confirmation,
 * password reset, email change). 160 random bits from the CSPRNG; the
 * database keeps only their SHA-256, so a leaked table cannot be used to
 * take over an account. Lookups go by hash, which is safe to compare with
 * an index: knowing a hash prefix does not help guess a 160-bit token.
 */
import { sha256 } from '@oslojs/crypto/sha2'
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding'

export function generateLinkToken(): string {
  const bytes = new Uint8Array(20)
  crypto.getRandomValues(bytes)
  return encodeBase32LowerCaseNoPadding(bytes)
}

export function hashLinkToken(token: string): Uint8Array {
  return sha256(new TextEncoder().encode(token))
}

/** Cheap shape check before any database lookup. */
export function isWellFormedLinkToken(token: string | undefined): token is string {
  return typeof token === 'string' && /^[a-z2-7]{32}$/.test(token)
}
