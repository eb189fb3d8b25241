/**
 * Runs the real HTTP server (server/app.ts createApp) around a tiny Remix
 * build made in the test: resource routes whose loaders the test writes
 * (to hold a request open, run a slow query, fail like a lost database),
 * and an entry whose health the test chooses or takes from the real boot.
 */
import { type AddressInfo } from 'node:net'
import { type ServerBuild } from '@remix-run/node'
import { createApp, type EntryExtras } from '../../server/app'
import { type Env } from '~/utils/env.server'

type Loader = (args: { request: Request }) => Promise<Response> | Response

export type FakeEntry = EntryExtras & { handleError?: (error: unknown, args: { request: Request }) => void }

/** A Remix build with one resource route per `routes` entry (`'slow'` → `/slow`). */
export function fakeBuild(routes: Record<string, Loader>, entry: FakeEntry): ServerBuild {
  const serverRoutes: Record<string, unknown> = {
    root: { id: 'root', path: '', module: { default: () => null } },
  }
  for (const [path, loader] of Object.entries(routes)) {
    serverRoutes[`routes/${path}`] = { id: `routes/${path}`, parentId: 'root', path, module: { loader } }
  }
  return {
    mode: 'production',
    entry: { module: { default: () => new Response('no documents here', { status: 500 }), ...entry } },
    routes: serverRoutes,
    assets: { entry: { module: '/entry.js', imports: [] }, routes: {}, url: '/manifest.js', version: 'test' },
    publicPath: '/',
    assetsBuildDirectory: 'build/client',
    future: { v3_singleFetch: true },
    isSpaMode: false,
    basename: undefined,
  } as unknown as ServerBuild
}

/** Serves `build` with createApp on a free port; returns its address and a stop function. */
export async function serve(env: Env, build: ServerBuild, clientDir?: string) {
  const app = createApp({ env, source: { load: async () => build }, clientDir })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    base,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A promise with its resolve function outside. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}
