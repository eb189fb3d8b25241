/**
 * The real Remix request handler around a few real route modules, for tests
 * that must see what reaches the client: the status and headers of document
 * requests and of single-fetch `.data` requests (which request.ts, calling
 * loaders and actions directly, cannot show). The app's root route is the
 * real one; only rendering is replaced: the document is a small JSON page
 * with the status, and the action data Remix would render.
 */
import { createRequestHandler, type ServerBuild } from '@remix-run/node'
import * as root from '~/root'

type RouteModule = ServerBuild['routes'][string]['module']

/**
 * A request handler for `routes` (path pattern → module, e.g.
 * `{ 'posts/:id': postRoute }`) under the app's root route.
 */
export function remixHandler(routes: Record<string, unknown>) {
  const manifest: ServerBuild['routes'] = {
    root: { id: 'root', path: '', module: root as unknown as RouteModule },
  }
  for (const [path, module] of Object.entries(routes)) {
    const id = `routes/${path}`
    manifest[id] = { id, parentId: 'root', path, module: module as RouteModule }
  }
  const build: ServerBuild = {
    mode: 'production',
    entry: {
      module: {
        default: (_request, status, headers, context) => {
          headers.set('Content-Type', 'application/json')
          const { actionData } = context.staticHandlerContext
          return new Response(JSON.stringify({ document: true, status, actionData }), { status, headers })
        },
      },
    },
    routes: manifest,
    assets: {
      entry: { imports: [], module: '/entry.client.js' },
      routes: Object.fromEntries(
        Object.values(manifest).map((route) => [
          route!.id,
          {
            id: route!.id,
            parentId: route!.parentId,
            path: route!.path,
            module: `/${route!.id}.js`,
            hasAction: 'action' in route!.module,
            hasLoader: 'loader' in route!.module,
            hasClientAction: false,
            hasClientLoader: false,
            hasErrorBoundary: 'ErrorBoundary' in route!.module,
          },
        ]),
      ),
      url: '/manifest.js',
      version: 'test',
    },
    publicPath: '/',
    assetsBuildDirectory: 'build/client',
    future: { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true, v3_singleFetch: true, v3_lazyRouteDiscovery: true, v3_routeConfig: false, unstable_optimizeDeps: false } as ServerBuild['future'],
    isSpaMode: false,
  }
  const handle = createRequestHandler(build, 'production')
  return (request: Request, clientIp = '203.0.113.9') => handle(request, { cspNonce: 'test', clientIp, responseCookies: [] })
}

const BASE = 'http://switchboard.test'

/** A GET, as a document request or as the `.data` request a fetcher makes. */
export function getRequest(path: string, { cookie, data = false }: { cookie?: string; data?: boolean } = {}) {
  const url = new URL(path, BASE)
  if (data) url.pathname += '.data'
  return new Request(url, { headers: cookie ? { Cookie: cookie } : {} })
}

/** A form POST, as a document request (no JavaScript) or as a `.data` request (a fetcher or `<Form>` with JavaScript). */
export function postRequest(
  path: string,
  fields: Record<string, string>,
  { cookie, data = false }: { cookie?: string; data?: boolean } = {},
) {
  const url = new URL(path, BASE)
  if (data) url.pathname += '.data'
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' }
  if (cookie) headers.Cookie = cookie
  return new Request(url, { method: 'POST', headers, body: new URLSearchParams(fields) })
}
