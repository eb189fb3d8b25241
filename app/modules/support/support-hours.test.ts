import { describe, expect, it } from 'vitest'
import { describeDuration, parseSchedule, sameDayTarget } from './support-hours'

const utc = parseSchedule({ hours: '09:00-17:00', days: 'Mon-Fri', timeZone: 'UTC' })
const berlin = parseSchedule({ hours: '09:00-17:00', days: 'Mon-Fri', timeZone: 'Europe/Berlin' })
const due = (at: string, schedule = utc) => sameDayTarget(new Date(at), schedule).toISOString()

describe('parseSchedule', () => {
  it('reads hours, ranges (also wrapping the week) and lists of days', () => {
    expect(utc).toMatchObject({ startMinute: 540, endMinute: 1020, timeZone: 'UTC' })
    expect([...utc.days].sort()).toEqual([1, 2, 3, 4, 5])
    expect([...parseSchedule({ hours: '08:30-12:00', days: 'Sat-Mon', timeZone: 'UTC' }).days].sort()).toEqual([0, 1, 6])
    expect([...parseSchedule({ hours: '08:30-12:00', days: 'Mon,Thu', timeZone: 'UTC' }).days].sort()).toEqual([1, 4])
  })
})

describe('sameDayTarget', () => {
  // 2025-03-12 is a Wednesday, 2025-03-14 a Friday.
  it('is the end of the same support day during and before support hours', () => {
    expect(due('2025-03-12T10:00:00Z')).toBe('2025-03-12T17:00:00.000Z')
    expect(due('2025-03-12T06:00:00Z')).toBe('2025-03-12T17:00:00.000Z')
    expect(due('2025-03-12T16:59:00Z')).toBe('2025-03-12T17:00:00.000Z')
  })

  it('moves to the next support day after closing', () => {
    expect(due('2025-03-12T17:00:00Z')).toBe('2025-03-13T17:00:00.000Z')
    expect(due('2025-03-12T23:30:00Z')).toBe('2025-03-13T17:00:00.000Z')
  })

  it('skips days without support (a Friday evening and a weekend wait for Monday)', () => {
    expect(due('2025-03-14T18:00:00Z')).toBe('2025-03-17T17:00:00.000Z')
    expect(due('2025-03-15T12:00:00Z')).toBe('2025-03-17T17:00:00.000Z')
    expect(due('2025-03-16T23:59:00Z')).toBe('2025-03-17T17:00:00.000Z')
  })

  it('reads the clock in the support time zone', () => {
    // 16:30 in Berlin (CET, UTC+1): due at 17:00 local, 16:00 UTC.
    expect(due('2025-03-12T15:30:00Z', berlin)).toBe('2025-03-12T16:00:00.000Z')
    // 17:30 in Berlin: the next day.
    expect(due('2025-03-12T16:30:00Z', berlin)).toBe('2025-03-13T16:00:00.000Z')
    // 23:30 UTC on Friday is already Saturday in Berlin: Monday.
    expect(due('2025-03-14T23:30:00Z', berlin)).toBe('2025-03-17T16:00:00.000Z')
    // Wednesday 19:00 in Los Angeles is Thursday 02:00 UTC: due Thursday 17:00 PDT.
    const la = parseSchedule({ hours: '09:00-17:00', days: 'Mon-Fri', timeZone: 'America/Los_Angeles' })
    expect(due('2025-03-13T02:00:00Z', la)).toBe('2025-03-14T00:00:00.000Z')
  })

  it('follows daylight-saving changes', () => {
    // Friday 28 March 2025 after hours; clocks go forward on Sunday: Monday 17:00 CEST is 15:00 UTC.
    expect(due('2025-03-28T17:00:00Z', berlin)).toBe('2025-03-31T15:00:00.000Z')
  })
})

describe('describeDuration', () => {
  it('says a duration in words, to two units', () => {
    expect(describeDuration(20_000)).toBe('under a minute')
    expect(describeDuration(60_000)).toBe('1 minute')
    expect(describeDuration(45 * 60_000)).toBe('45 minutes')
    expect(describeDuration(3 * 3_600_000 + 5 * 60_000)).toBe('3 hours 5 minutes')
    expect(describeDuration(2 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000)).toBe('2 days 4 hours')
    expect(describeDuration(86_400_000)).toBe('1 day')
  })
})
