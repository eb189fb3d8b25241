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
  'role-changed': 'The role was changed; it applies from their next click.',
  'product-created': 'The product was added. Add its versions below.',
  'product-renamed': 'The product’s name and description were saved. Its web address stays the same.',
  'version-added': 'The version was added at the end of the list and is offered for new posts.',
  'version-renamed': 'The version was saved. Posts that name it show the new name.',
  'version-retired': 'The version is retired: it is no longer offered for new posts and stays on the posts that name it.',
  'version-restored': 'The version is offered for new posts again.',
  'version-already-retired': 'This version was already retired; nothing changed.',
  'version-already-active': 'This version was already offered for new posts; nothing changed.',
  welcome: 'Welcome to Switchboard! Your account is ready.',
  'problem-logged': 'Your problem is logged. We emailed you this page’s link so you can track it; you will hear when someone replies or posts a workaround.',
  'story-shared': 'Thank you for sharing your story.',
  'migration-planned': 'Your migration plan is saved. Below are the known problems of the target version.',
  'workaround-added': 'Your workaround was added. Thank you — it may save someone days.',
  'reply-posted': 'Your reply was posted.',
  'post-updated': 'Your changes were saved. The earlier version is kept.',
  'accepted': 'The workaround is accepted and the problem is marked solved.',
  'acceptance-withdrawn': 'The acceptance was withdrawn.',
  'verified': 'The workaround is marked verified.',
  'unverified': 'The verified mark was removed.',
  'hidden': 'It is hidden now; the author sees your reason.',
  'unhidden': 'It is visible again.',
  'problem-assigned': 'The problem is assigned to you.',
  'problem-unassigned': 'The problem is no longer assigned to anyone.',
  'visibility-changed': 'Who can see this post was changed.',
  'status-changed': 'The migration status was updated; followers were told.',
  'status-update-posted': 'Your status update is posted. Everyone who has this problem too or follows it was told.',
  'followed': 'You follow this post now and will hear about changes.',
  'unfollowed': 'You no longer follow this post.',
  'notifications-saved': 'Your notification settings were saved.',
  'notification-read': 'The notification is marked read.',
  'notifications-read': 'Every notification is marked read.',
  'introduction-proposed': 'The introduction is proposed. Each side was asked separately; nothing is shared until both say yes.',
  'introduction-accepted': 'You said yes. We will let you know when the other side answers.',
  'introduction-connected': 'You are connected: you both said yes. Your contact details are now shared, and your private thread is open.',
  'introduction-declined': 'You said no, thank you. Nobody is told it was you: the other side learns only that the introduction did not happen.',
  'introduction-withdrawn': 'The introduction was withdrawn. Both sides were told only that it did not happen.',
  'introduction-message-posted': 'Your message was posted. The others in this introduction were notified.',
  'introduction-helped': 'Thank you — glad it helped. You can accept their workaround or write down what you did (see below).',
  'introduction-not-helped': 'Thank you for telling us. Support may suggest someone else.',
  'introduction-settings-saved': 'Your introduction settings were saved.',
  'calendar-revoked': 'Your migration calendar is turned off: its address no longer works.',
} as const

export type NoticeKey = keyof typeof NOTICES

export function noticeFrom(url: string | URL): string | null {
  const key = new URL(url).searchParams.get('notice')
  return key && key in NOTICES ? NOTICES[key as NoticeKey] : null
}
