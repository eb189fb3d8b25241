/**
 * Reads a file line by line in bounded memory, for imports.
 *
 * Why not `node:readline`: it gathers a whole line before handing it over,
 * so one 2 GB line (a broken export, or an attack) would be read into
 * memory at once. Here a line longer than `maxBytes` stops being kept as
 * soon as it crosses the limit; the reader skips to its end and reports it
 * by number, so every other line is still checked. Lines are decoded as
 * strict UTF-8 (a bad byte is reported, never silently replaced), a
 * trailing `\r` is dropped (files written on Windows), and so is a byte-order
 * mark at the start of the file.
 */
import fs from 'node:fs'

export type FileLine =
  | { number: number; text: string; bytesRead: number }
  | { number: number; problem: 'too_long' | 'not_utf8'; bytesRead: number }

const NEWLINE = 0x0a

/**
 * Yields every line of `file` with its 1-based number and the bytes read so
 * far (for progress). A last line without a newline is yielded too; the
 * empty "line" after a final newline is not.
 */
export async function* readLines(
  file: string,
  { maxBytes }: { maxBytes: number },
): AsyncGenerator<FileLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  let parts: Buffer[] = []
  let size = 0
  let overflow = false
  let number = 0
  let bytesRead = 0

  const finish = (): FileLine => {
    number += 1
    const kept = parts
    const tooLong = overflow
    parts = []
    size = 0
    overflow = false
    if (tooLong) return { number, problem: 'too_long', bytesRead }
    let bytes = kept.length === 1 ? kept[0]! : Buffer.concat(kept)
    if (bytes.length && bytes[bytes.length - 1] === 0x0d)
      bytes = bytes.subarray(0, bytes.length - 1)
    if (bytes.length > maxBytes) return { number, problem: 'too_long', bytesRead }
    if (number === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
      bytes = bytes.subarray(3)
    try {
      return { number, text: decoder.decode(bytes), bytesRead }
    } catch {
      return { number, problem: 'not_utf8', bytesRead }
    }
  }

  for await (const chunk of fs.createReadStream(file, {
    highWaterMark: 256 * 1024,
  }) as AsyncIterable<Buffer>) {
    let start = 0
    while (start <= chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start)
      const end = newline === -1 ? chunk.length : newline
      const piece = chunk.subarray(start, end)
      if (!overflow) {
        // Plus one for a possible \r that belongs to the line ending, not the line.
        if (size + piece.length > maxBytes + 1) {
          overflow = true
          parts = []
        } else if (piece.length) {
          parts.push(piece)
        }
      }
      size += piece.length
      if (newline === -1) {
        bytesRead += chunk.length - start
        break
      }
      bytesRead += end - start + 1
      yield finish()
      start = newline + 1
    }
  }
  if (size > 0) yield finish()
}
