/**
 * The sentence encoder runs in its own thread, at a lower priority than the
 * request thread, which keeps serving its event loop while texts are
 * encoded; a typed text that cannot be encoded in time gets no vector (the
 * caller ranks by words). Runs the real model in the real worker file.
 */
import os from 'node:os'
import { threadId } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import { encodeQuery, encoderThread, encodeTexts, stopEncoder } from './encoder.server'
import { cosine, embed } from './meaning.server'

afterAll(async () => {
  await stopEncoder()
})

// The thread runs at the lowest priority: on a busy machine it gets little CPU, so these tests wait longer than most.
const SLOW = 120_000

describe('the encoder thread', () => {
  it('encodes in a thread other than the request thread, at a lower priority, while the request thread’s event loop keeps turning', async () => {
    const before = os.getPriority()
    let turns = 0
    const ticker = setInterval(() => turns++, 1)
    let result: Awaited<ReturnType<typeof encodeTexts>>
    try {
      result = await encodeTexts(['The nightly ledger sync stops halfway', 'Invoices show a dollar sign instead of euros'])
    } finally {
      clearInterval(ticker)
    }
    expect(result.vectors).toHaveLength(2)
    expect(result.vectors[0]).toHaveLength(512)
    expect(result.threadId).not.toBe(threadId)
    expect(encoderThread()?.threadId).toBe(result.threadId)
    // Loading the model and encoding happened elsewhere: this thread ran its timers meanwhile.
    expect(turns).toBeGreaterThan(0)
    if (process.platform === 'linux') {
      expect(encoderThread()?.priority).toBe(19)
      expect(os.getPriority()).toBe(before) // only the encoder thread was lowered
    }
  }, SLOW)

  it('gives texts that mean the same vectors that point the same way', async () => {
    const [car, rental, sync] = await embed(['Hire a car and a driver', 'Car rental with a chauffeur', 'The nightly ledger sync stops halfway'])
    expect(cosine(car!, rental!)).toBeGreaterThan(cosine(car!, sync!))
  }, SLOW)

  it('encodes a typed text ahead of the background texts queued before it', async () => {
    await encodeTexts(['warm up'])
    let backlogDone = false
    const backlog = encodeTexts(Array.from({ length: 6 }, (_, i) => `Queued problem ${i} about ledger exports`)).then(() => {
      backlogDone = true
    })
    const vector = await encodeQuery('wrong currency sign on invoices', 60_000)
    expect(vector).toHaveLength(512)
    expect(backlogDone).toBe(false)
    await backlog
  }, SLOW)

  it('answers a typed text with no vector when the thread is busy past the timeout, and with one when it is free', async () => {
    const backlog = encodeTexts(Array.from({ length: 8 }, (_, i) => `Problem number ${i} with the export of ledgers at night`))
    expect(await encodeQuery('wrong currency sign on invoices', 1)).toBeNull()
    await backlog
    expect(await encodeQuery('wrong currency sign on invoices', SLOW)).toHaveLength(512)
  }, SLOW)
})
