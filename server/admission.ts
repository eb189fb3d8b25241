/**
 * Admission control: how many requests one process answers at once, and how
 * many may wait. Past both bounds a request is refused at once (the server
 * answers 503 with Retry-After), so an overload costs the extra clients a
 * fast "try again" instead of making everyone wait minutes.
 *
 * Sign-in gets a few reserved slots on top of the bound: when the hub is
 * saturated by page views, people can still sign in.
 */

export type AdmissionOptions = {
  /** Requests answered at once. */
  maxInFlight: number
  /** Requests that may wait for a slot; the next one is refused. */
  maxQueued: number
  /** Extra slots only priority requests (sign-in) may take. */
  reserved: number
  /** A request that waited this long is refused rather than kept waiting. */
  maxWaitMs: number
}

type Waiter = { admit: () => void; refuse: () => void }

/** A release function once admitted (call it when the answer is done), or null when refused. */
export type Admitted = (() => void) | null

export class Admission {
  private inFlight = 0
  private readonly waiting: Waiter[] = []

  constructor(private readonly options: AdmissionOptions) {}

  /** Requests being answered now (for tests and logs). */
  get active() {
    return this.inFlight
  }

  /** Requests waiting for a slot. */
  get queued() {
    return this.waiting.length
  }

  /**
   * Waits for a slot. Resolves to a release function, or to null when the
   * queue is full, the wait ran out or `signal` aborted (the client left).
   */
  admit({ priority = false, signal }: { priority?: boolean; signal?: AbortSignal } = {}): Promise<Admitted> {
    const { maxInFlight, maxQueued, reserved, maxWaitMs } = this.options
    if (this.inFlight < maxInFlight || (priority && this.inFlight < maxInFlight + reserved)) {
      this.inFlight++
      return Promise.resolve(this.releaser())
    }
    if (this.waiting.length >= maxQueued || signal?.aborted) return Promise.resolve(null)
    return new Promise<Admitted>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        const at = this.waiting.indexOf(waiter)
        if (at >= 0) this.waiting.splice(at, 1)
      }
      const waiter: Waiter = {
        admit: () => {
          done()
          this.inFlight++
          resolve(this.releaser())
        },
        refuse: () => {
          done()
          resolve(null)
        },
      }
      const onAbort = () => waiter.refuse()
      const timer = setTimeout(() => waiter.refuse(), maxWaitMs)
      signal?.addEventListener('abort', onAbort, { once: true })
      // Sign-in goes ahead of page views in the queue too.
      if (priority) this.waiting.unshift(waiter)
      else this.waiting.push(waiter)
    })
  }

  private releaser() {
    let released = false
    return () => {
      if (released) return
      released = true
      this.inFlight--
      if (this.inFlight < this.options.maxInFlight) this.waiting[0]?.admit()
    }
  }
}
