/**
 * The import file format (`npm run import -- FILE.jsonl`): one JSON object
 * per line, each with a `type` — `person`, `problem` (with its workarounds
 * and replies), `story` or `migration`. The README ("Importing existing
 * knowledge") documents every field; docs/decisions/0010-import-format.md
 * says why it looks like this.
 *
 * The schemas are strict: an unknown field is an error, never silently
 * dropped (it is usually a typo that would lose data). They reuse the hub's
 * own limits (posts.schema.ts, accounts.schema.ts), so an import can store
 * nothing the forms would refuse. Messages are written for someone fixing
 * the file: `body: too long: 60,123 characters (max 50,000)`.
 */
import { z } from 'zod'
import { stripBidiControls } from '~/utils/text'
import { NAME_MAX, ORGANIZATION_NAME_MAX } from '~/modules/accounts/accounts.schema'
import {
  BODY_MAX,
  MIGRATION_STATUSES,
  REPLY_MAX,
  TAG_MAX,
  TAGS_MAX,
  TagsField,
  TITLE_MAX,
  TITLE_MIN,
  VISIBILITIES,
} from '~/modules/posts/posts.schema'

export const IMPORT_TYPES = ['person', 'problem', 'story', 'migration'] as const
export type ImportType = (typeof IMPORT_TYPES)[number]

/** Roles an import may give: admins are made on purpose (`npm run admin:create`, the roles page). */
export const IMPORT_ROLES = ['customer', 'support'] as const

/** Longest record id (the source system's id). */
export const ID_MAX = 100
export const WORKAROUNDS_MAX = 50
export const REPLIES_MAX = 200
export const VERSIONS_MAX = 50
/** A line (one record, a problem with all its workarounds and replies) is at most this many bytes. */
export const MAX_LINE_BYTES = 2 * 1024 * 1024
/** Records (non-blank lines) per file; larger archives are imported in several files. */
export const MAX_RECORDS = 50_000
/** Dates may be this far ahead of the clock (skew between machines). */
const FUTURE_SLACK_MS = 5 * 60 * 1000

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/
// eslint-disable-next-line no-control-regex
const NUL = /\u0000/

const count = (n: number) => n.toLocaleString('en')

/** A single-line text: trimmed, no control characters. */
const line = (min: number, max: number) =>
  z
    .string()
    // Bidi controls reorder what readers see (see app/utils/text.ts).
    .overwrite(stripBidiControls)
    .trim()
    .min(min)
    .max(max)
    .refine((v) => !CONTROL.test(v), 'contains control characters')

/** A Markdown text: not blank, no NUL (PostgreSQL refuses it), at most `max` characters. */
const text = (max: number, { optional = false } = {}) =>
  z
    .string()
    .max(max)
    .refine((v) => optional || v.trim().length > 0, 'is empty')
    .refine((v) => !NUL.test(v), 'contains a NUL character')

/** The source system's id, a string or a whole number ("7" and 7 are the same id). */
const IdField = z
  .union([z.string(), z.number().int().nonnegative()], {
    error: (issue) =>
      issue.input === undefined ? 'required' : 'expected a string or a whole number',
  })
  .transform(String)
  .pipe(line(1, ID_MAX))

const EMAIL = z.email()
const EmailField = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .refine((v) => !CONTROL.test(v) && EMAIL.safeParse(v).success, 'not an email address')

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/

/** A real calendar day, YYYY-MM-DD. */
const DayField = z
  .string()
  .regex(ISO_DAY, 'expected a date as YYYY-MM-DD')
  .refine((v) => {
    const date = new Date(`${v}T00:00:00Z`)
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(v)
  }, 'not a real date')

/** When something was written: an ISO 8601 date-time with a zone (`Z` or `+02:00`), or a day (midnight UTC). */
const ISO_DATETIME = z.iso.datetime({ offset: true })
const TimestampField = z
  .string()
  .refine(
    (v) => (ISO_DAY.test(v) ? DayField.safeParse(v).success : ISO_DATETIME.safeParse(v).success),
    'expected an ISO 8601 date-time with a time zone, like 2024-03-01T09:30:00Z (or a date, 2024-03-01)',
  )
  .transform((v) => new Date(ISO_DAY.test(v) ? `${v}T00:00:00Z` : v))
  .refine((d) => d.getTime() <= Date.now() + FUTURE_SLACK_MS, 'is in the future')

/** Tags as a list; the hub's own tag rules (lower-cased, unique, one word each). */
const TagListField = z
  .array(
    z
      .string()
      .max(TAG_MAX)
      .refine((t) => !/[\s,]/.test(t), 'a tag is one word (letters and digits, with - . + # _)'),
  )
  .max(TAGS_MAX)
  .transform((tags, ctx) => {
    const parsed = TagsField.safeParse(tags.join(' '))
    if (parsed.success) return parsed.data
    for (const issue of parsed.error.issues)
      ctx.issues.push({ code: 'custom', message: issue.message, input: tags })
    return z.NEVER
  })

const ProductField = line(1, 200)
const VersionName = line(1, 64)
const VisibilityField = z.enum(VISIBILITIES).default('community')

const ReplySchema = z.strictObject({
  id: IdField,
  author: EmailField,
  body: text(REPLY_MAX),
  createdAt: TimestampField.optional(),
})

const RepliesField = z
  .array(ReplySchema)
  .max(REPLIES_MAX)
  .default([])
  .refine(
    (replies) => new Set(replies.map((r) => r.id)).size === replies.length,
    'two replies have the same id',
  )

const WorkaroundSchema = z.strictObject({
  id: IdField,
  author: EmailField,
  body: text(BODY_MAX),
  createdAt: TimestampField.optional(),
  /** The problem's solution (at most one per problem); the problem becomes solved. */
  accepted: z.boolean().default(false),
  /** Support vouched for it. */
  verified: z.boolean().default(false),
})

export const PersonRecordSchema = z.strictObject({
  type: z.literal('person'),
  email: EmailField,
  name: line(1, NAME_MAX),
  organization: line(1, ORGANIZATION_NAME_MAX),
  role: z.enum(IMPORT_ROLES).default('customer'),
})

/** The fields a problem and a story share: a titled post about some versions of a product. */
const TITLED_POST_FIELDS = {
  id: IdField,
  author: EmailField,
  title: line(TITLE_MIN, TITLE_MAX),
  body: text(BODY_MAX),
  product: ProductField,
  versions: z.array(VersionName).max(VERSIONS_MAX).default([]),
  tags: TagListField.default([]),
  visibility: VisibilityField,
  createdAt: TimestampField.optional(),
}

export const ProblemRecordSchema = z.strictObject({
  type: z.literal('problem'),
  ...TITLED_POST_FIELDS,
  workarounds: z
    .array(WorkaroundSchema)
    .max(WORKAROUNDS_MAX)
    .default([])
    .refine(
      (list) => list.filter((w) => w.accepted).length <= 1,
      'at most one workaround can be accepted',
    )
    .refine(
      (list) => new Set(list.map((w) => w.id)).size === list.length,
      'two workarounds have the same id',
    ),
  replies: RepliesField,
})

export const StoryRecordSchema = z.strictObject({
  type: z.literal('story'),
  ...TITLED_POST_FIELDS,
  /** The problem it overcame or the migration it completed: in this file, or imported before. */
  related: z.strictObject({ type: z.enum(['problem', 'migration']), id: IdField }).optional(),
  replies: RepliesField,
})

export const MigrationRecordSchema = z
  .strictObject({
    type: z.literal('migration'),
    id: IdField,
    author: EmailField,
    product: ProductField,
    from: VersionName,
    to: VersionName,
    windowStart: DayField,
    windowEnd: DayField.optional(),
    status: z.enum(MIGRATION_STATUSES).default('planned'),
    body: text(BODY_MAX, { optional: true }).default(''),
    visibility: VisibilityField,
    createdAt: TimestampField.optional(),
    replies: RepliesField,
  })
  .refine((m) => m.from.toLowerCase() !== m.to.toLowerCase(), {
    message: 'must differ from "from"',
    path: ['to'],
  })
  .refine((m) => !m.windowEnd || m.windowEnd >= m.windowStart, {
    message: 'the window cannot end before it starts',
    path: ['windowEnd'],
  })

export type PersonRecord = z.output<typeof PersonRecordSchema>
export type ProblemRecord = z.output<typeof ProblemRecordSchema>
export type StoryRecord = z.output<typeof StoryRecordSchema>
export type MigrationRecord = z.output<typeof MigrationRecordSchema>
export type ImportRecord = PersonRecord | ProblemRecord | StoryRecord | MigrationRecord
export type PostRecord = ProblemRecord | StoryRecord | MigrationRecord

const SCHEMAS = {
  person: PersonRecordSchema,
  problem: ProblemRecordSchema,
  story: StoryRecordSchema,
  migration: MigrationRecordSchema,
} as const

/** `workarounds[2].body` */
function formatPath(path: PropertyKey[]) {
  return path.reduce<string>(
    (out, part) =>
      typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part),
    '',
  )
}

type Issue = z.core.$ZodRawIssue

/** Short messages for the standard checks; messages written in the schema win. */
function describe(issue: Issue): string | undefined {
  const input = issue.input
  switch (issue.code) {
    case 'invalid_type':
      return input === undefined
        ? 'required'
        : `expected ${issue.expected}, got ${input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input}`
    case 'too_big':
      if (typeof input === 'string')
        return `too long: ${count(input.length)} characters (max ${count(Number(issue.maximum))})`
      if (Array.isArray(input))
        return `too many: ${count(input.length)} (max ${count(Number(issue.maximum))})`
      return undefined
    case 'too_small':
      if (typeof input === 'string')
        return input.length === 0
          ? 'is empty'
          : `too short: ${input.length} characters (at least ${issue.minimum})`
      return undefined
    case 'invalid_value':
      return `must be ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`}`
    case 'invalid_format':
      return issue.format === 'regex' ? undefined : `not a valid ${issue.format}`
    default:
      return undefined
  }
}

export type RecordParse = { ok: true; record: ImportRecord } | { ok: false; messages: string[] }

/**
 * Checks one parsed JSON value against the schema of its `type`. Answers the
 * record, or the problems as `field: message` lines (unknown fields each
 * named, like `unknown field "foo"`).
 */
export function parseRecord(value: unknown): RecordParse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, messages: ['expected a JSON object ({…}) on each line'] }
  }
  const type = (value as { type?: unknown }).type
  if (type === undefined)
    return { ok: false, messages: [`type: required (one of ${IMPORT_TYPES.join(', ')})`] }
  if (typeof type !== 'string' || !(IMPORT_TYPES as readonly string[]).includes(type)) {
    return {
      ok: false,
      messages: [`type: must be one of ${IMPORT_TYPES.join(', ')} (got ${JSON.stringify(type)})`],
    }
  }
  const result = SCHEMAS[type as ImportType].safeParse(value, {
    error: describe,
    reportInput: false,
  })
  if (result.success) return { ok: true, record: result.data as ImportRecord }
  const messages: string[] = []
  for (const issue of result.error.issues) {
    const where = formatPath(issue.path)
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        messages.push(`${where ? `${where}: ` : ''}unknown field "${key}"`)
    } else {
      messages.push(`${where || 'record'}: ${issue.message}`)
    }
  }
  return { ok: false, messages }
}
