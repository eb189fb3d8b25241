/**
 * Short confirmations shown after a redirect (`?notice=key`). Only these
 * fixed texts can appear, so the query string cannot inject a message.
 */
export const NOTICES = {
  'signed-out': 'You are signed out.',
  'password-reset': 'Your password was changed and every other session was signed out.',
  'password-changed': 'Your password was changed. Every other session was signed out.',
  'profile-saved': 'Your profile was saved.',
  'email-sent': 'Check your inbox: we sent you a link to confirm your new address. Your current address stays in use until then.',
  'email-changed': 'Your email address was changed. We told your old address too.',
  'sessions-ended': 'Every other session was signed out.',
  'session-ended': 'That session was signed out.',
  'organization-created': 'The organization was created.',
  'domains-saved': 'The allowed domains were saved.',
  'invitation-sent': 'The invitation was sent. The link works once and expires in 7 days.',
  'invitation-revoked': 'The invitation was withdrawn.',
  'user-deactivated': 'The person was deactivated and signed out everywhere.',
  'user-reactivated': 'The person can sign in again.',
  welcome: 'Welcome to Switchboard! Your account is ready.',
} as const

export type NoticeKey = keyof typeof NOTICES

export function noticeFrom(url: string | URL): string | null {
  const key = new URL(url).searchParams.get('notice')
  return key && key in NOTICES ? NOTICES[key as NoticeKey] : null
}
