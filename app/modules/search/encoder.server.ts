/**
 * The sentence encoder, kept off the request thread: one worker thread per
 * process (meaning.worker.mjs) loads the model and encodes; this side only
 * queues texts and receives vectors. The thread runs at the lowest priority
 * (nice 19 on Linux), so a catch-up over an import of 50,000 problems takes
 * the cores only when requests and the database leave them idle.
 *
 * One text is in the thread at a time. A text being typed (the "already
 * solved?" panel) goes ahead of queued background texts and waits at most
 * MEANING_QUERY_TIMEOUT_MS: when the thread is busy longer, the caller ranks
 * by words alone (`encodeQuery` returns null).
 */
import { Worker } from 'node:worker_threads'
import { env } from '~/utils/env.server'

type Reply = { id: number; vectors?: Float32Array[]; threadId?: number; priority?: number | null; error?: string }
type Request = { id: number; texts: string[]; resolve: (reply: Reply) => void; reject: (error: Error) => void }

type State = {
  worker?: Worker
  nextId: number
  inFlight?: Request
  queries: Request[]
  background: Request[]
  /** The worker thread's id and priority, once it answered (for tests and operators). */
  thread?: { threadId: number; priority: number | null }
}
const holder = globalThis as { __switchboardEncoder?: State }
const state: State = (holder.__switchboardEncoder ??= { nextId: 1, queries: [], background: [] })

/**
 * Where the worker's file is: beside this module's source in development,
 * tests and scripts; beside the server bundle in production, where the build
 * copies it (vite.config.ts).
 */
const WORKER_URL = new URL('./meaning.worker.mjs', import.meta.url)

function failAll(error: Error) {
  const waiting = [...(state.inFlight ? [state.inFlight] : []), ...state.queries.splice(0), ...state.background.splice(0)]
  state.inFlight = undefined
  for (const request of waiting) request.reject(error)
}

function startWorker(): Worker {
  const worker = new Worker(WORKER_URL, { workerData: { nice: 19 }, name: 'switchboard-encoder' })
  // The thread never keeps a script or test process alive on its own.
  worker.unref()
  worker.on('message', (reply: Reply) => {
    const request = state.inFlight
    if (!request || request.id !== reply.id) return
    state.inFlight = undefined
    if (reply.threadId !== undefined) state.thread = { threadId: reply.threadId, priority: reply.priority ?? null }
    request.resolve(reply)
    dispatch()
  })
  const gone = (error: Error) => {
    // A thread stopped on purpose (stopEncoder) already let its requests go.
    if (state.worker !== worker) return
    state.worker = undefined
    failAll(error)
  }
  worker.on('error', gone)
  worker.on('exit', (code) => gone(new Error(`switchboard/encoder: the encoder thread exited (code ${code})`)))
  return worker
}

function dispatch() {
  if (state.inFlight) return
  const next = state.queries.shift() ?? state.background.shift()
  if (!next) return
  state.inFlight = next
  state.worker ??= startWorker()
  state.worker.postMessage({ id: next.id, texts: next.texts })
}

function request(texts: string[], lane: 'queries' | 'background'): { promise: Promise<Reply>; cancel: () => void } {
  let entry!: Request
  const promise = new Promise<Reply>((resolve, reject) => {
    entry = { id: state.nextId++, texts, resolve, reject }
  })
  state[lane].push(entry)
  dispatch()
  return {
    promise,
    // A query that timed out leaves the queue if it has not reached the thread yet.
    cancel: () => {
      const index = state[lane].indexOf(entry)
      if (index >= 0) state[lane].splice(index, 1)
    },
  }
}

const unwrap = (reply: Reply) => {
  if (reply.error !== undefined) throw new Error(`switchboard/encoder: ${reply.error}`)
  return { vectors: reply.vectors ?? [], threadId: reply.threadId! }
}

/**
 * Encodes texts in the encoder thread (raw model output, in order), behind
 * any text being typed. For stored vectors and the evaluation; rejects when
 * the model fails.
 */
export async function encodeTexts(texts: string[]): Promise<{ vectors: Float32Array[]; threadId: number }> {
  if (!texts.length) return { vectors: [], threadId: state.thread?.threadId ?? -1 }
  // One text per message: a typed text then waits behind one text (tens of ms), not a whole batch.
  const replies = (await Promise.all(texts.map((text) => request([text], 'background').promise))).map(unwrap)
  return { vectors: replies.flatMap((r) => r.vectors), threadId: replies[0]!.threadId }
}

/**
 * Encodes a text someone is waiting for, ahead of background batches; null
 * when no vector came within `timeoutMs` (MEANING_QUERY_TIMEOUT_MS: thread
 * busy, model still loading) or the model failed: the caller then ranks by
 * words.
 */
export async function encodeQuery(text: string, timeoutMs = env().MEANING_QUERY_TIMEOUT_MS): Promise<Float32Array | null> {
  const { promise, cancel } = request([text], 'queries')
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs)
  })
  try {
    const reply = await Promise.race([promise, timeout])
    if (!reply) {
      cancel()
      promise.catch(() => {})
      return null
    }
    return unwrap(reply).vectors[0] ?? null
  } catch (error) {
    console.warn('[search] encoding a typed text failed; ranking by words:', error instanceof Error ? error.message : error)
    return null
  } finally {
    clearTimeout(timer)
  }
}

/** The encoder thread's id and priority once it has answered (null before). */
export function encoderThread() {
  return state.thread ?? null
}

/** Stops the encoder thread; waiting requests are rejected. The next request starts a new one. */
export async function stopEncoder() {
  const worker = state.worker
  state.worker = undefined
  failAll(new Error('switchboard/encoder: stopped'))
  if (worker) await worker.terminate()
}
