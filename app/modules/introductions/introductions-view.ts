/**
 * Pure helpers for the introduction pages, safe for the browser: the words
 * each person sees for a state, the notes support starts from, and ages.
 * No data access here; the privacy rules live in introductions.server.ts.
 */
import { INTRODUCTION_STATE_LABELS } from './introductions.schema'

export type IntroductionViewState = keyof typeof INTRODUCTION_STATE_LABELS

/**
 * What a side reads about one of its introductions. Every closed state is
 * "did not happen" already (the server never tells a side who declined).
 */
export function sideStateLabel(state: IntroductionViewState, myResponse: 'accepted' | 'declined' | null) {
  if (state === 'connected') return 'Connected'
  if (state === 'proposed') return myResponse === 'accepted' ? 'Accepted — waiting for the other side' : 'Waiting for your answer'
  return 'Did not happen'
}

/** What support reads: the state, with "accepted by one" while it waits. */
export function staffStateLabel(state: IntroductionViewState, acceptedByOne: boolean) {
  if (state === 'proposed' && acceptedByOne) return 'Accepted by one — waiting for the other'
  return INTRODUCTION_STATE_LABELS[state]
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** "just now", "5 minutes", "3 hours", "12 days": how long since `from`. */
export function describeAge(from: Date | string, now: Date = new Date()) {
  const ms = Math.max(0, now.getTime() - new Date(from).getTime())
  if (ms < MINUTE) return 'less than a minute'
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`
  if (ms < HOUR) return plural(Math.floor(ms / MINUTE), 'minute')
  if (ms < DAY) return plural(Math.floor(ms / HOUR), 'hour')
  return plural(Math.floor(ms / DAY), 'day')
}

/** "in 3 days", "in 5 hours", or "now" for a moment still ahead. */
export function describeRemaining(until: Date | string, now: Date = new Date()) {
  const ms = new Date(until).getTime() - now.getTime()
  if (ms <= 0) return 'now'
  return `in ${describeAge(new Date(now.getTime() - ms), now)}`
}

const firstName = (name: string) => name.trim().split(/\s+/)[0] || name

/** How the solver's qualifying post is described to the solver. */
const QUALIFYING_PHRASES = {
  workaround: 'the workaround you shared',
  story: 'the success story you shared',
  migration: 'the migration you completed',
} as const

/**
 * The note support starts from for the person who asked. It never names the
 * other side: nobody is named before both say yes.
 */
export function defaultAskerNote({ askerName, problemTitle, staffName }: { askerName: string; problemTitle: string; staffName: string }) {
  return [
    `Hello ${firstName(askerName)},`,
    '',
    `About your problem “${problemTitle}”: another customer solved something very similar, and I think a short exchange with them could save you a lot of time.`,
    '',
    'Would you like me to introduce you? If you both say yes, you will see each other’s name, organization and contact email, and a private thread opens for the two of you (I can read along and help). If either of you says no, nothing is shared.',
    '',
    `— ${staffName}, support`,
  ].join('\n')
}

/**
 * The note support starts from for the customer who solved it. It never
 * names the person who asked.
 */
export function defaultSolverNote({
  solverName,
  reasonKind,
  staffName,
}: {
  solverName: string
  reasonKind: keyof typeof QUALIFYING_PHRASES | null
  staffName: string
}) {
  const what = reasonKind ? QUALIFYING_PHRASES[reasonKind] : 'what you shared in the hub'
  return [
    `Hello ${firstName(solverName)},`,
    '',
    `Another customer is stuck on a problem much like one you solved — ${what} looks like exactly what they need.`,
    '',
    'Would you be open to a short exchange with them? There is no obligation. If you both say yes, you will see each other’s name, organization and contact email, and a private thread opens for the two of you (I can read along). If either of you says no, nothing is shared.',
    '',
    `— ${staffName}, support`,
  ].join('\n')
}

/**
 * The note support starts from for a customer whose migration plan another
 * customer shares (the radar's "connect these customers"). Names nobody.
 */
export function defaultSameMoveAskerNote({ askerName, planTitle, staffName }: { askerName: string; planTitle: string; staffName: string }) {
  return [
    `Hello ${firstName(askerName)},`,
    '',
    `About your migration plan “${planTitle}”: another customer is making the same move, and comparing notes before the window could save you both some surprises.`,
    '',
    'Would you like me to introduce you? If you both say yes, you will see each other’s name, organization and contact email, and a private thread opens for the two of you (I can read along and help). If either of you says no, nothing is shared.',
    '',
    `— ${staffName}, support`,
  ].join('\n')
}

/**
 * The note for the other customer making the same move; `done` when they
 * have already completed it. Names nobody.
 */
export function defaultSameMoveSolverNote({ solverName, planTitle, done, staffName }: { solverName: string; planTitle: string; done: boolean; staffName: string }) {
  return [
    `Hello ${firstName(solverName)},`,
    '',
    done
      ? `Another customer is about to make the move you completed (“${planTitle}”), and your experience could spare them some surprises.`
      : `Another customer plans the same move as you (“${planTitle}”). Comparing notes before your windows could help you both.`,
    '',
    'Would you be open to a short exchange with them? There is no obligation. If you both say yes, you will see each other’s name, organization and contact email, and a private thread opens for the two of you (I can read along). If either of you says no, nothing is shared.',
    '',
    `— ${staffName}, support`,
  ].join('\n')
}
