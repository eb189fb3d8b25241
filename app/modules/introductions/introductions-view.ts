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

// -- what each side sees of the other side's post ---------------------------------------

/** A post as getIntroduction loads it: the one each side may be shown once connected. */
export type IntroductionPost = {
  id: string
  kind: 'problem' | 'workaround' | 'story' | 'migration'
  title: string | null
  body: string
  problemId: string | null
  /** For the neutral summary: the post's product and versions (a workaround's are its problem's). */
  productName: string
  versionNames: string[]
}

/**
 * What a side is told about the other side's post before both accept: the
 * product, the versions and what kind of post it is — never its title, text,
 * id or link, any of which a search or a click turns into a name.
 */
export type NeutralSummary = {
  /** One sentence: "A customer who solved a similar problem with Relay (versions 4.2, 5.0)." */
  text: string
  productName: string
  versionNames: string[]
}

const versionsPhrase = (names: string[]) =>
  names.length === 0 ? '' : ` (${names.length === 1 ? 'version' : 'versions'} ${names.join(', ')})`

/** The neutral sentence for the other side's post, as `side` reads it. */
export function neutralSummary(side: 'asker' | 'solver', subjectKind: 'problem' | 'migration', post: Pick<IntroductionPost, 'kind' | 'productName' | 'versionNames'>): NeutralSummary {
  const on = `${post.productName}${versionsPhrase(post.versionNames)}`
  let text: string
  if (subjectKind === 'migration') {
    text = side === 'asker' ? `A customer making the same move with ${on}.` : `A customer planning the same move with ${on}.`
  } else if (side === 'solver') {
    text = `A customer stuck on a problem with ${on}, much like one you solved.`
  } else if (post.kind === 'story') {
    text = `A customer who solved a similar problem with ${on} and told the story.`
  } else if (post.kind === 'migration') {
    text = `A customer who completed a migration of ${on}.`
  } else {
    text = `A customer who solved a similar problem with ${on}.`
  }
  return { text, productName: post.productName, versionNames: post.versionNames }
}

type Shown = { id: string; kind: IntroductionPost['kind']; title: string | null; body: string; problemId: string | null }
const shown = (post: IntroductionPost): Shown => ({ id: post.id, kind: post.kind, title: post.title, body: post.body, problemId: post.problemId })

/**
 * The privacy rule of an introduction's posts, in one place: who sees which
 * post whole, and who sees only a neutral summary of it.
 * - Support sees both posts.
 * - The asker always sees their own problem (or plan). The solver's post
 *   only once both accepted; before, a neutral summary of it.
 * - The solver sees the asker's problem only once both accepted; before, a
 *   neutral summary of it. (The qualifying post is not repeated to its own
 *   author: a workaround on the asker's very problem would carry its id.)
 */
export function postsForViewer({
  side,
  staff,
  connected,
  subjectKind,
  problem,
  qualifying,
}: {
  side: 'asker' | 'solver' | null
  staff: boolean
  connected: boolean
  subjectKind: 'problem' | 'migration'
  problem: IntroductionPost | null
  qualifying: IntroductionPost | null
}): { problem: Shown | null; qualifying: Shown | null; otherSummary: NeutralSummary | null } {
  if (staff && !side) return { problem: problem && shown(problem), qualifying: qualifying && shown(qualifying), otherSummary: null }
  if (side === 'asker') {
    if (connected) return { problem: problem && shown(problem), qualifying: qualifying && shown(qualifying), otherSummary: null }
    return {
      problem: problem && shown(problem),
      qualifying: null,
      otherSummary: qualifying ? neutralSummary('asker', subjectKind, qualifying) : problem ? neutralSummary('asker', subjectKind, { ...problem, kind: 'workaround' }) : null,
    }
  }
  if (side === 'solver') {
    if (connected) return { problem: problem && shown(problem), qualifying: null, otherSummary: null }
    return { problem: null, qualifying: null, otherSummary: problem ? neutralSummary('solver', subjectKind, problem) : null }
  }
  return { problem: null, qualifying: null, otherSummary: null }
}
