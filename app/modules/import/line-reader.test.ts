import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readLines, type FileLine } from './line-reader.server'

let dir: string
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchboard-lines-'))
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

async function read(content: Buffer | string, maxBytes = 100) {
  const file = path.join(dir, `f-${Math.random().toString(36).slice(2)}`)
  await fs.writeFile(file, content)
  const lines: Omit<FileLine, 'bytesRead'>[] = []
  for await (const { bytesRead: _, ...line } of readLines(file, { maxBytes })) lines.push(line)
  return lines
}

describe('readLines', () => {
  it('numbers lines from 1, drops \\r line endings and a byte-order mark, and keeps a last line without a newline', async () => {
    expect(await read('\ufeff{"a":1}\r\n\r\nsecond\nlast')).toEqual([
      { number: 1, text: '{"a":1}' },
      { number: 2, text: '' },
      { number: 3, text: 'second' },
      { number: 4, text: 'last' },
    ])
  })

  it('yields nothing for an empty file and no extra line after a final newline', async () => {
    expect(await read('')).toEqual([])
    expect(await read('one\n')).toEqual([{ number: 1, text: 'one' }])
  })

  it('reports a line over the limit without keeping it, and reads on', async () => {
    expect(await read(`${'x'.repeat(101)}\n${'y'.repeat(100)}\r\nz`)).toEqual([
      { number: 1, problem: 'too_long' },
      { number: 2, text: 'y'.repeat(100) },
      { number: 3, text: 'z' },
    ])
  })

  it('reports bytes that are not UTF-8 instead of replacing them', async () => {
    expect(await read(Buffer.from([0x61, 0x0a, 0xff, 0xfe, 0x0a, 0xc3, 0xa9]))).toEqual([
      { number: 1, text: 'a' },
      { number: 2, problem: 'not_utf8' },
      { number: 3, text: 'é' },
    ])
  })

  it('joins lines that span the stream’s chunks, and counts the bytes read', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'é'.repeat(i % 97)}`)
    const content = lines.join('\n') + '\n'
    const file = path.join(dir, 'big')
    await fs.writeFile(file, content)
    const seen: string[] = []
    let last = 0
    for await (const line of readLines(file, { maxBytes: 1000 })) {
      if ('text' in line) seen.push(line.text)
      last = line.bytesRead
    }
    expect(seen).toEqual(lines)
    expect(last).toBe(Buffer.byteLength(content))
  })
})
