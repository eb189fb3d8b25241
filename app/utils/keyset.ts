/**
 * Keyset pagination for lists ordered newest first by a timestamp with the
 * id as tie-break (decision 0021). A page is "the rows after (or before)
 * this one", never "skip N rows", so the database reads about a page of
 * rows wherever the reader is, and a row written meanwhile neither repeats
 * nor skips one on the next page.
 *
 * The cursor carries the timestamp as PostgreSQL wrote it (microseconds,
 * UTC): a JavaScript Date keeps only milliseconds, and two rows written in
 * the same millisecond would otherwise be skipped or repeated.
 */

/** Where a page starts: after (older than) or before (newer than) a row. */
export type Cursor = { direction: 'after' | 'before'; at: string; id: string }

/** A page of a keyset list, with the cursors of the pages around it (null: none that way). */
export type KeysetPage<T> = { items: T[]; pageSize: number; older: string | null; newer: string | null }

// ISO timestamp with up to microseconds, and an id of safe characters.
const CURSOR = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z)~([A-Za-z0-9_-]{1,64})$/

/** A row's position as a cursor value (`at` is the timestamp's exact text, see `exactTime`). */
export function encodeCursor(at: string, id: string) {
  return `${at}~${id}`
}

/**
 * The cursor in `?after=` or `?before=`, or null (the first page) when there
 * is none or it is malformed: a hand-edited URL shows the newest page, never
 * an error.
 */
export function cursorFrom(url: URL): Cursor | null {
  for (const direction of ['after', 'before'] as const) {
    const value = url.searchParams.get(direction)
    if (!value) continue
    const match = CURSOR.exec(value)
    if (match && !Number.isNaN(Date.parse(match[1]!))) return { direction, at: match[1]!, id: match[2]! }
    return null
  }
  return null
}

/**
 * Turns rows fetched for a page (up to pageSize + 1, in the query's order)
 * into the page: the extra row only says there is more that way. Rows
 * fetched `before` a cursor come oldest first and are put back newest first.
 */
export function keysetPage<T extends { cursorAt: string; id: string }>(
  rows: T[],
  pageSize: number,
  cursor: Cursor | null,
): KeysetPage<T> {
  const more = rows.length > pageSize
  const kept = rows.slice(0, pageSize)
  const backwards = cursor?.direction === 'before'
  if (backwards) kept.reverse()
  const first = kept[0]
  const last = kept.at(-1)
  // Moving older: there are newer rows (we came from them) and older ones if the extra row came back.
  const hasOlder = backwards ? true : more
  const hasNewer = backwards ? more : cursor !== null
  return {
    items: kept,
    pageSize,
    older: hasOlder && last ? encodeCursor(last.cursorAt, last.id) : null,
    newer: hasNewer && first ? encodeCursor(first.cursorAt, first.id) : null,
  }
}
