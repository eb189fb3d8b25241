import { type AddressInfo } from 'node:net'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maskUrl, requestLogger } from './request-log'

const TOKEN = 'Zk3uQ9vT0pL7wX2aB5nC8dE1fG4hJ6kM'

describe('request log', () => {
  const lines: string[] = []
  let base = ''
  let close = () => {}

  beforeAll(async () => {
    const app = express()
    app.use(requestLogger({ stream: { write: (line) => void lines.push(line) } }))
    app.all('*', (_req, res) => void res.status(200).send('ok'))
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    close = () => server.close()
  })
  afterAll(() => close())

  it.each([
    ['GET', `/calendar/${TOKEN}.ics`, 'GET /calendar/:token.ics 200'],
    ['GET', `/reset-password/${TOKEN}`, 'GET /reset-password/:token 200'],
    ['POST', `/reset-password/${TOKEN}.data`, 'POST /reset-password/:token.data 200'],
    ['GET', `/signup/${TOKEN}`, 'GET /signup/:token 200'],
    ['POST', `/signup/${TOKEN}`, 'POST /signup/:token 200'],
    ['GET', `/invitations/${TOKEN}`, 'GET /invitations/:token 200'],
    ['GET', `/email-change/${TOKEN}`, 'GET /email-change/:token 200'],
    ['GET', `/login?redirectTo=${encodeURIComponent(`/reset-password/${TOKEN}`)}`, 'GET /login?redirectTo=%2Freset-password%2F%3Atoken 200'],
    ['GET', `/settings/calendar?token=${TOKEN}&tab=2`, 'GET /settings/calendar?token=:token&tab=2 200'],
  ])('%s %s is logged as its route pattern, without the token', async (method, url, expected) => {
    const before = lines.length
    await fetch(base + url, { method })
    // morgan writes the line when the response finishes.
    for (let i = 0; i < 50 && lines.length === before; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    const line = lines.at(-1) ?? ''
    expect(line.startsWith(expected)).toBe(true)
    expect(line).toMatch(/ ms\n$/)
    expect(line).not.toContain(TOKEN)
  })

  it('keeps ordinary paths and queries as they are', () => {
    expect(maskUrl('/posts/abc?product=relay&page=2')).toBe('/posts/abc?product=relay&page=2')
    expect(maskUrl('/signup')).toBe('/signup')
  })
})
