/**
 * Support hours and the same-day target, in pure functions (no database, no
 * clock): a problem should get its first answer before the end of the
 * support day on which it arrived; one that arrives after hours or on a day
 * without support is due at the end of the next support day.
 *
 * Wall-clock times are read in the support team's IANA time zone with Intl,
 * so daylight-saving changes are handled without a date library.
 *
 * Safe for the client (the page formats ages with `describeDuration`).
 */

export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const

/** Parsed support hours: minutes after local midnight, weekdays 0 (Sunday) to 6. */
export type SupportSchedule = {
  startMinute: number
  endMinute: number
  days: ReadonlySet<number>
  timeZone: string
}

/**
 * Parses the SUPPORT_HOURS ("09:00-17:00"), SUPPORT_DAYS ("Mon-Fri" or
 * "Mon,Tue,Thu") and SUPPORT_TIMEZONE values, already validated by the
 * environment schema. A day range may wrap around the week ("Sat-Mon").
 */
export function parseSchedule(input: { hours: string; days: string; timeZone: string }): SupportSchedule {
  const [start, end] = input.hours.split('-').map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5)))
  const index = (name: string) => {
    const i = WEEKDAYS.indexOf(name as (typeof WEEKDAYS)[number])
    if (i < 0) throw new Error(`support: unknown weekday "${name}" in SUPPORT_DAYS`)
    return i
  }
  const days = new Set<number>()
  if (input.days.includes('-')) {
    const [from, to] = input.days.split('-').map(index)
    for (let d = from!; ; d = (d + 1) % 7) {
      days.add(d)
      if (d === to) break
    }
  } else {
    for (const name of input.days.split(',')) days.add(index(name.trim()))
  }
  return { startMinute: start!, endMinute: end!, days, timeZone: input.timeZone }
}

type LocalParts = { year: number; month: number; day: number; minute: number }

const formatters = new Map<string, Intl.DateTimeFormat>()
function formatterFor(timeZone: string) {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/** The wall-clock date and time of `at` in `timeZone`. */
function localParts(at: Date, timeZone: string): LocalParts & { second: number } {
  const parts: Record<string, number> = {}
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value)
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    minute: parts.hour! * 60 + parts.minute!,
    second: parts.second!,
  }
}

/** Milliseconds `timeZone` is ahead of UTC at `at`. */
function offsetAt(at: Date, timeZone: string) {
  const p = localParts(at, timeZone)
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, 0, p.minute, p.second)
  return asUtc - Math.floor(at.getTime() / 1000) * 1000
}

/** The instant when the wall clock in `timeZone` shows this local date and minute. */
function instantOf(local: LocalParts, timeZone: string): Date {
  const guess = Date.UTC(local.year, local.month - 1, local.day, 0, local.minute)
  const first = guess - offsetAt(new Date(guess), timeZone)
  // Near a daylight-saving change the offset at the answer may differ from the guess's.
  return new Date(guess - offsetAt(new Date(first), timeZone))
}

/** Day of the week (0 = Sunday) of a local calendar date. */
const weekdayOf = (p: { year: number; month: number; day: number }) =>
  new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay()

/** The local calendar date `n` days after `p`. */
function addDays(p: LocalParts, n: number): LocalParts {
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + n))
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), minute: p.minute }
}

/**
 * The same-day target of something that arrived at `arrivedAt`: the end of
 * support hours that day when it arrived on a support day before closing
 * (also before opening), otherwise the end of the next support day.
 */
export function sameDayTarget(arrivedAt: Date, schedule: SupportSchedule): Date {
  if (schedule.days.size === 0) throw new Error('support: SUPPORT_DAYS names no day')
  let local: LocalParts = localParts(arrivedAt, schedule.timeZone)
  if (!(schedule.days.has(weekdayOf(local)) && local.minute < schedule.endMinute)) {
    local = addDays(local, 1)
    while (!schedule.days.has(weekdayOf(local))) local = addDays(local, 1)
  }
  return instantOf({ ...local, minute: schedule.endMinute }, schedule.timeZone)
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`

/** A duration in words, to the two largest units: "under a minute", "45 minutes", "3 hours 5 minutes", "2 days 4 hours". */
export function describeDuration(ms: number): string {
  const abs = Math.max(0, ms)
  if (abs < MINUTE) return 'under a minute'
  const days = Math.floor(abs / DAY)
  const hours = Math.floor((abs % DAY) / HOUR)
  const minutes = Math.floor((abs % HOUR) / MINUTE)
  if (days > 0) return hours > 0 ? `${plural(days, 'day')} ${plural(hours, 'hour')}` : plural(days, 'day')
  if (hours > 0) return minutes > 0 ? `${plural(hours, 'hour')} ${plural(minutes, 'minute')}` : plural(hours, 'hour')
  return plural(minutes, 'minute')
}
