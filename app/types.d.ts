import '@remix-run/node'

declare module '@remix-run/node' {
  /** Built per request by the HTTP server (server/app.ts). */
  interface AppLoadContext {
    /** Nonce for this response's scripts, allowed by its Content-Security-Policy. */
    cspNonce: string
    /** The client's address (behind TRUST_PROXY proxies: from X-Forwarded-For). */
    clientIp: string | null
    /** Set-Cookie values to add to the response, whatever route answers. */
    responseCookies: string[]
    /** Memo of this request's session lookup (see auth.server.ts). */
    auth?: Promise<unknown>
  }
}
