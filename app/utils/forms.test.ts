import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ChangePasswordSchema,
  InviteSchema,
  OrganizationSchema,
  ProfileSchema,
  SignInSchema,
} from '~/modules/accounts/accounts.schema'
import { CheckboxField, EmailField, formError, parseForm, parseInput, textField } from './forms'

function form(entries: Array<[string, string | Blob]>) {
  const data = new FormData()
  for (const [key, value] of entries) data.append(key, value)
  return data
}

describe('parseForm', () => {
  it('returns the parsed data on success', () => {
    const result = parseForm(
      form([
        ['email', ' Ada@Example.COM '],
        ['password', 'pw'],
      ]),
      SignInSchema,
    )
    expect(result).toMatchObject({ ok: true, data: { email: 'ada@example.com', password: 'pw' } })
  })

  it('sends back what was typed, but never passwords, tokens or secrets', () => {
    const result = parseForm(
      form([
        ['email', 'not an email'],
        ['currentPassword', 'old secret words'],
        ['password', 'short'],
        ['confirmPassword', 'other'],
        ['token', 'abc'],
        ['apiSecret', 'xyz'],
        ['note', 'kept'],
      ]),
      ChangePasswordSchema.and(z.object({ email: EmailField })),
    )
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.values).toEqual({ email: 'not an email', note: 'kept' })
    expect(result.errors.password).toEqual(['Use at least 12 characters.'])
    expect(result.errors.email).toEqual(['Enter an email address like name@example.com.'])
  })

  it('puts each issue under its field, once, and whole-form issues under ""', () => {
    const twice = z.object({
      a: z
        .string()
        .min(3, 'Too short.')
        .refine((v) => v !== 'xy', 'Too short.'),
    })
    expect(parseForm({ a: 'xy' }, twice)).toEqual({
      ok: false,
      errors: { a: ['Too short.'] },
      values: { a: 'xy' },
    })
    const differ = z
      .object({ a: z.string(), b: z.string() })
      .refine((v) => v.a !== v.b, 'A and B must differ.')
    expect(parseForm({ a: 'xyz', b: 'xyz' }, differ)).toEqual({
      ok: false,
      errors: { '': ['A and B must differ.'] },
      values: { a: 'xyz', b: 'xyz' },
    })
  })

  it('reports mismatched new passwords on confirmPassword', () => {
    const result = parseForm(
      {
        currentPassword: 'old one',
        password: 'a long new password',
        confirmPassword: 'a long new passw0rd',
      },
      ChangePasswordSchema,
    )
    expect(result).toEqual({
      ok: false,
      errors: { confirmPassword: ['The two passwords do not match.'] },
      values: {},
    })
  })

  it('refuses NUL bytes with a message', () => {
    expect(parseForm({ name: 'Ada\u0000 Lovelace' }, ProfileSchema)).toEqual({
      ok: false,
      errors: { name: ['Your name contains characters that are not allowed.'] },
      values: { name: 'Ada\u0000 Lovelace' },
    })
    const password = parseForm(
      {
        currentPassword: 'old one',
        password: 'a long new pass\u0000word',
        confirmPassword: 'a long new pass\u0000word',
      },
      ChangePasswordSchema,
    )
    expect(password.ok || password.errors.password).toEqual([
      'Passwords cannot contain NUL characters.',
    ])
    expect(
      parseForm({ email: 'ada\u0000@example.com', role: 'customer' }, InviteSchema),
    ).toMatchObject({
      ok: false,
      errors: { email: ['Enter an email address like name@example.com.'] },
    })
  })

  it('keeps the first of duplicate keys, so a forged second value cannot override it', () => {
    const result = parseForm(
      form([
        ['email', 'ada@example.com'],
        ['role', 'customer'],
        ['role', 'admin'],
      ]),
      InviteSchema,
    )
    expect(result).toMatchObject({ ok: true, data: { email: 'ada@example.com', role: 'customer' } })
  })

  it('ignores uploaded files', () => {
    const result = parseForm(
      form([
        ['name', new Blob(['x'])],
        ['name', 'Ada'],
      ]),
      ProfileSchema,
    )
    expect(result).toMatchObject({ ok: true, data: { name: 'Ada' } })
  })

  it('reports a missing field with its own message', () => {
    expect(parseForm({}, ProfileSchema)).toEqual({
      ok: false,
      errors: { name: ['Enter your name.'] },
      values: {},
    })
  })
})

describe('EmailField', () => {
  it('trims and lower-cases', () => {
    expect(EmailField.parse('  Ada.Lovelace@Example.COM\n')).toBe('ada.lovelace@example.com')
  })

  it('refuses empty, malformed and over-long addresses', () => {
    const message = (value: unknown) => EmailField.safeParse(value).error?.issues[0]?.message
    expect(message('')).toBe('Enter your email address.')
    expect(message('   ')).toBe('Enter your email address.')
    expect(message(undefined)).toBe('Enter your email address.')
    for (const bad of [
      'ada',
      'ada@',
      '@example.com',
      'ada@example',
      'ada lovelace@example.com',
      'ada@@example.com',
    ]) {
      expect(message(bad)).toBe('Enter an email address like name@example.com.')
    }
    expect(message(`${'a'.repeat(64)}@${'b'.repeat(186)}.com`)).toBe(
      'Email addresses are at most 254 characters.',
    )
  })
})

describe('textField', () => {
  const Title = textField('a title', { min: 3, max: 10 })

  it('trims and enforces the bounds with the label in the message', () => {
    expect(Title.parse('  Hello  ')).toBe('Hello')
    expect(Title.safeParse('  ').error?.issues[0]?.message).toBe(
      'A title needs at least 3 characters.',
    )
    expect(Title.safeParse('Hello world!').error?.issues[0]?.message).toBe(
      'A title can be at most 10 characters.',
    )
    expect(Title.safeParse(undefined).error?.issues[0]?.message).toBe('Enter a title.')
  })

  it('refuses control characters but not ordinary Unicode', () => {
    expect(Title.safeParse('ab\u0007cd').error?.issues[0]?.message).toBe(
      'A title contains characters that are not allowed.',
    )
    expect(Title.parse('Grüße 👋')).toBe('Grüße 👋')
  })
})

describe('OrganizationSchema domains', () => {
  it('splits, lower-cases, removes @ and duplicates', () => {
    const result = parseForm(
      { name: 'Acme', domains: '@Acme.com, acme.com\nacme.co.uk; ' },
      OrganizationSchema,
    )
    expect(result).toMatchObject({
      ok: true,
      data: { name: 'Acme', domains: ['acme.com', 'acme.co.uk'] },
    })
  })

  it('refuses what is not a domain name', () => {
    const result = parseForm(
      { name: 'Acme', domains: 'acme, -bad.com, good.com' },
      OrganizationSchema,
    )
    expect(result.ok || result.errors.domains).toEqual([
      'Not a domain name: acme, -bad.com. Use a form like example.com.',
    ])
  })
})

describe('CheckboxField and formError', () => {
  it('reads a checkbox as present or absent', () => {
    expect(CheckboxField.parse('on')).toBe(true)
    expect(CheckboxField.parse(undefined)).toBe(false)
    expect(CheckboxField.safeParse('off').success).toBe(false)
  })

  it('builds a one-field failure', () => {
    expect(formError('email', 'Taken.', { email: 'a@b.c' })).toEqual({
      ok: false,
      errors: { email: ['Taken.'] },
      values: { email: 'a@b.c' },
    })
  })
})

describe('parseInput', () => {
  const schema = z.object({ title: textField('a title', { max: 5 }), count: z.number({ error: 'Give a number.' }) })

  it('answers the parsed input', () => {
    expect(parseInput(schema, { title: ' Hi ', count: 2 })).toEqual({ ok: true, value: { title: 'Hi', count: 2 } })
  })

  it('answers the first problem as an invalid failure on its field', () => {
    expect(parseInput(schema, { title: 'Too long', count: 'x' })).toEqual({
      ok: false,
      reason: 'invalid',
      message: 'A title can be at most 5 characters.',
      field: 'title',
    })
  })

  it('names no field for a problem with the whole input', () => {
    expect(parseInput(schema, null)).toMatchObject({ ok: false, reason: 'invalid' })
    expect(parseInput(schema, null)).not.toHaveProperty('field')
  })
})
