import { describe, expect, it } from 'vitest'
import { Admission } from './admission'

describe('Admission', () => {
  it('queues past the in-flight bound, refuses past the queue, and admits the queued one when a slot frees', async () => {
    const admission = new Admission({ maxInFlight: 1, maxQueued: 1, reserved: 0, maxWaitMs: 60_000 })
    const first = await admission.admit()
    expect(first).toBeTypeOf('function')
    const queued = admission.admit()
    expect(admission.queued).toBe(1)
    expect(await admission.admit()).toBeNull()
    first!()
    const second = await queued
    expect(second).toBeTypeOf('function')
    expect(admission.active).toBe(1)
    second!()
    second!()
    expect(admission.active).toBe(0)
  })

  it('gives sign-in its reserved slots and a place at the head of the queue', async () => {
    const admission = new Admission({ maxInFlight: 1, maxQueued: 2, reserved: 1, maxWaitMs: 60_000 })
    const page = await admission.admit()
    const signIn = await admission.admit({ priority: true })
    expect(signIn).toBeTypeOf('function')
    const waitingPage = admission.admit()
    const waitingSignIn = admission.admit({ priority: true })
    page!()
    signIn!()
    expect(await waitingSignIn).toBeTypeOf('function')
    expect(admission.queued).toBe(1)
    void waitingPage
  })

  it('drops a waiting request whose client left', async () => {
    const admission = new Admission({ maxInFlight: 1, maxQueued: 5, reserved: 0, maxWaitMs: 60_000 })
    await admission.admit()
    const gone = new AbortController()
    const waiting = admission.admit({ signal: gone.signal })
    gone.abort()
    expect(await waiting).toBeNull()
    expect(admission.queued).toBe(0)
  })
})
