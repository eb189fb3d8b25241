/** Dates and times as people read them, in the reader's locale on the server's clock. */
const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

export function formatDateTime(value: Date | string) {
  return `${dateTime.format(new Date(value))} UTC`
}

/** A short description of a browser from its User-Agent ("Chrome on Linux"). */
export function describeUserAgent(userAgent: string | null | undefined) {
  if (!userAgent) return 'Unknown device'
  const browser =
    /Edg\//.test(userAgent) ? 'Edge'
    : /Firefox\//.test(userAgent) ? 'Firefox'
    : /Chrom(e|ium)\//.test(userAgent) ? 'Chrome'
    : /Safari\//.test(userAgent) ? 'Safari'
    : /curl|node|undici/i.test(userAgent) ? 'Script'
    : 'Browser'
  const os =
    /Windows/.test(userAgent) ? 'Windows'
    : /Mac OS X|Macintosh/.test(userAgent) ? 'macOS'
    : /Android/.test(userAgent) ? 'Android'
    : /iPhone|iPad/.test(userAgent) ? 'iOS'
    : /Linux/.test(userAgent) ? 'Linux'
    : null
  return os ? `${browser} on ${os}` : browser
}

const dateOnly = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })

export function formatDate(value: Date | string | number) {
  return dateOnly.format(new Date(value))
}

/** "12 Mar 2027" or "12 Mar – 3 Apr 2027" for a planned window (YYYY-MM-DD dates). */
export function formatWindow(start: string, end: string | null | undefined) {
  const a = formatDate(`${start}T00:00:00Z`)
  if (!end || end === start) return `on ${a}`
  return `between ${a} and ${formatDate(`${end}T00:00:00Z`)}`
}
