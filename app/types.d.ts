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
    /** Set by handleError when a query failed on bad bytes the request sent (see entry.server.tsx). */
    badInput?: boolean
    /** Memo of this request's session lookup (see auth.server.ts). */
    auth?: Promise<unknown>
  }
}
