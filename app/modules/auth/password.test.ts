import type * as Argon2 from '@node-rs/argon2'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  checkNewPassword,
  hashPassword,
  HashingBusyError,
  MIN_PASSWORD_SCORE,
  PASSWORD_PROBLEM_MESSAGES,
  verifyAgainstDummy,
  verifyPassword,
} from './password.server'

/**
 * argon2 is wrapped, not replaced: calls go to the real library and are
 * counted, so the tests can see how many run at once. While `gate` is set,
 * calls wait for it instead of hashing (to hold slots without burning CPU).
 */
const argon = vi.hoisted(() => ({
  inFlight: 0,
  maxInFlight: 0,
  calls: 0,
  gate: undefined as Promise<void> | undefined,
  failNext: false,
}))

vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof Argon2>()
  const track =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>, gated: R) =>
    async (...args: A): Promise<R> => {
      argon.calls++
      argon.inFlight++
      argon.maxInFlight = Math.max(argon.maxInFlight, argon.inFlight)
      try {
        if (argon.failNext) {
          argon.failNext = false
          throw new Error('argon2 exploded')
        }
        if (argon.gate) {
          await argon.gate
          return gated
        }
        return await fn(...args)
      } finally {
        argon.inFlight--
      }
    }
  return { ...real, hash: track(real.hash, 'gated-hash'), verify: track(real.verify, false) }
})

function deferred() {
  let release!: () => void
  const promise = new Promise<void>((resolve) => (release = resolve))
  return { promise, release }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 10))

afterEach(() => {
  argon.inFlight = 0
  argon.maxInFlight = 0
  argon.calls = 0
  argon.gate = undefined
  argon.failNext = false
})

describe('checkNewPassword', () => {
  const problem = async (password: string, owner = {}) => (await checkNewPassword(password, owner))?.problem ?? null

  it('needs at least 12 characters and at most 128', async () => {
    expect(await problem('')).toBe('too_short')
    expect(await problem('k7#vhq2m!zpw'.slice(0, 11))).toBe('too_short')
    expect(await problem('k7#vhq2m!zpw')).toBeNull()
    expect(await problem('k7#vhq2m!zpw'.repeat(11).slice(0, 128))).toBeNull()
    expect(await problem('k7#vhq2m!zpw'.repeat(11).slice(0, 129))).toBe('too_long')
  })

  it('counts Unicode code points, not UTF-16 units', async () => {
    // Each emoji is two UTF-16 units but one code point.
    expect('😀'.repeat(11).length).toBe(22)
    expect(await problem('😀'.repeat(11))).toBe('too_short')
    expect(await problem('😀🌧️🎉🚀🐙🍕🎸🧊🌵🦉🔑📎'.slice(0, 200))).toBeNull()
    expect(await problem('😀'.repeat(129))).toBe('too_long')
    expect(await problem('Grüße aus Köln 🌧️')).toBeNull()
  })

  it.each([
    ['a repeated character', 'aaaaaaaaaaaa', 'Repeated characters like "aaa" are easy to guess.'],
    ['an alphabet run', 'abcdefghijkl', 'Common character sequences like "abc" are easy to guess.'],
    ['a repeated keyboard run', 'qwertyqwerty', 'Repeated character patterns like "abcabcabc" are easy to guess.'],
    ['the demo password', 'switchboard-demo', 'There should not be any personal or page related data.'],
    ['a common password', 'password1234', ''],
    ['a common word padded to length', 'sunshine2024!', 'This is similar to a commonly used password.'],
  ])('refuses %s (%j), saying why', async (_label, password, warning) => {
    const verdict = await checkNewPassword(password, { name: 'Dana Doe', email: 'dana@acme.test' })
    expect(verdict?.problem).toBe('weak')
    expect(verdict?.message).toMatch(/^This password is too easy to guess\. /)
    expect(verdict?.message).toContain(warning)
    expect(verdict?.message).toContain('A few unrelated words work well.')
  })

  it("refuses the person's own email and name, which are fine for someone else", async () => {
    const owner = { name: 'Margarethe Oberholzer', email: 'moberholzer.ops@dunmore.test' }
    expect(await problem('moberholzer.ops@dunmore.test', owner)).toBe('weak')
    expect(await problem('margaretheoberholzer', owner)).toBe('weak')
    expect(await problem('moberholzer.ops@dunmore.test', { name: 'Sam', email: 'sam@x.test' })).toBeNull()
    const verdict = await checkNewPassword('moberholzer.ops@dunmore.test', owner)
    expect(verdict?.message).toContain('There should not be any personal or page related data.')
  })

  it('accepts strong passwords and passphrases', async () => {
    expect(await problem('correct horse battery staple', { name: 'Dana Doe', email: 'dana@acme.test' })).toBeNull()
    expect(await problem('a long and unusual passphrase')).toBeNull()
    expect(await problem('k7#vhq2m!zpw')).toBeNull()
  })

  it('has a message for every problem', () => {
    expect(MIN_PASSWORD_SCORE).toBe(3)
    expect(PASSWORD_PROBLEM_MESSAGES).toEqual({
      too_short: 'Use at least 12 characters.',
      too_long: 'Use at most 128 characters.',
      weak: 'This password is too easy to guess.',
    })
  })
})

describe('hashPassword and verifyPassword', () => {
  it('hash with argon2id (19 MiB, 2 passes, 1 lane) and verify the right password only', async () => {
    const password = 'mellow tangerine 🍊 orbit'
    const hash = await hashPassword(password)
    expect(hash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true)
    expect(await hashPassword(password)).not.toBe(hash) // salted
    expect(await verifyPassword(hash, password)).toBe(true)
    expect(await verifyPassword(hash, 'mellow tangerine 🍊 orbiT')).toBe(false)
    expect(await verifyPassword(hash, `${password} `)).toBe(false) // never trimmed
  })

  it('answers false for a malformed hash instead of throwing', async () => {
    expect(await verifyPassword('not a hash', 'whatever password')).toBe(false)
    expect(await verifyPassword('', 'whatever password')).toBe(false)
    expect(await verifyPassword('$argon2id$v=19$m=19456,t=2,p=1$broken', 'whatever password')).toBe(
      false,
    )
  })

  it('never hashes an over-long password', async () => {
    const long = 'a'.repeat(129)
    await expect(hashPassword(long)).rejects.toThrow('switchboard/auth: password too long to hash')
    const hash = await hashPassword('a'.repeat(128))
    argon.calls = 0
    expect(await verifyPassword(hash, long)).toBe(false)
    expect(argon.calls).toBe(0)
  })

  it('verifies against a dummy hash when there is no account, always answering false', async () => {
    argon.calls = 0
    expect(await verifyAgainstDummy('anything at all')).toBe(false)
    expect(await verifyAgainstDummy('x'.repeat(10_000))).toBe(false)
    // It really computes a hash (the timing must match a real check).
    expect(argon.calls).toBeGreaterThanOrEqual(2)
  })
})

describe('the hashing concurrency limit (PASSWORD_HASH_CONCURRENCY=2)', () => {
  it('runs at most two at a time and completes every waiting check', async () => {
    const hash = await hashPassword('slot test password')
    argon.maxInFlight = 0
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        verifyPassword(hash, i % 2 ? 'slot test password' : 'wrong password!'),
      ),
    )
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => i % 2 === 1))
    expect(argon.maxInFlight).toBe(2)
  })

  it('queues the rest while two are busy, and hands slots on as they finish', async () => {
    const gate = deferred()
    argon.gate = gate.promise
    const pending = Array.from({ length: 10 }, () =>
      verifyPassword('$argon2id$whatever', 'password here'),
    )
    await flush()
    expect(argon.inFlight).toBe(2)
    expect(argon.calls).toBe(2)
    gate.release()
    expect(await Promise.all(pending)).toEqual(Array(10).fill(false))
    expect(argon.calls).toBe(10)
    expect(argon.maxInFlight).toBe(2)
  })

  it('refuses with HashingBusyError once 200 checks are already waiting', async () => {
    const gate = deferred()
    argon.gate = gate.promise
    const accepted = Array.from({ length: 202 }, () =>
      verifyPassword('$argon2id$whatever', 'password here'),
    )
    await flush()
    const refused = verifyPassword('$argon2id$whatever', 'password here')
    await expect(refused).rejects.toBeInstanceOf(HashingBusyError)
    await expect(hashPassword('another password')).rejects.toThrow(HashingBusyError)
    gate.release()
    expect(await Promise.all(accepted)).toHaveLength(202)
    // The queue drained: new checks are accepted again.
    argon.gate = undefined
    expect(await verifyPassword('not a hash', 'password here')).toBe(false)
  })

  it('frees the slot of a hash that failed', async () => {
    argon.failNext = true
    await expect(hashPassword('first password')).rejects.toThrow('argon2 exploded')
    // Were the slot leaked, two failures would leave no slot and these would hang.
    argon.failNext = true
    await expect(hashPassword('second password')).rejects.toThrow('argon2 exploded')
    const hash = await hashPassword('third password')
    expect(
      await Promise.all([
        verifyPassword(hash, 'third password'),
        verifyPassword(hash, 'third password'),
      ]),
    ).toEqual([true, true])
  })
})
