/**
 * The part of autocannon's API the page benchmark uses (the package ships
 * no types; @types/autocannon describes an older major).
 */
declare module 'autocannon' {
  import { type EventEmitter } from 'node:events'

  export type AutocannonRequest = {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
    /** Called before each request; returns the request to send. */
    setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest
  }

  export type AutocannonOptions = {
    url: string
    connections?: number
    /** Seconds. */
    duration?: number
    /** Requests to make (instead of a duration). */
    amount?: number
    /** Seconds to wait for a response before counting a timeout. */
    timeout?: number
    method?: string
    headers?: Record<string, string>
    body?: string
    requests?: AutocannonRequest[]
  }

  export type AutocannonResult = {
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    statusCodeStats: Record<string, { count: number }>
  }

  export interface AutocannonInstance extends EventEmitter, PromiseLike<AutocannonResult> {
    stop(): void
  }

  function autocannon(options: AutocannonOptions): AutocannonInstance
  export default autocannon
}
