/**
 * The post forms, one zod schema each, safe for the browser. Limits are
 * exported so forms can show them.
 */
import { z } from 'zod'
import { idField, isSafeId, textField } from '~/utils/forms'
import { stripBidiControls } from '~/utils/text'

export const TITLE_MIN = 3
export const TITLE_MAX = 200
export const BODY_MAX = 50_000
export const REPLY_MAX = 20_000
export const TAGS_MAX = 10
export const TAG_MAX = 30
export const REASON_MAX = 500

export const POST_KINDS = ['problem', 'workaround', 'story', 'migration'] as const
export const PROBLEM_STATES = ['open', 'answered', 'solved'] as const
export const MIGRATION_STATUSES = ['planned', 'in_progress', 'done', 'postponed', 'rolled_back'] as const
export const VISIBILITIES = ['community', 'private', 'staff'] as const
/** What a customer chooses when logging a problem; staff-only is support's switch. */
export const PROBLEM_VISIBILITIES = ['community', 'private'] as const
/** The most colleagues a private problem can be shared with. */
export const READERS_MAX = 50

export const VISIBILITY_LABELS = {
  community: 'Community',
  private: 'Private',
  staff: 'Staff only',
} as const

export const KIND_LABELS = {
  problem: 'Problem',
  workaround: 'Workaround',
  story: 'Success story',
  migration: 'Migration plan',
} as const

export const STATE_LABELS = { open: 'Open', answered: 'Answered', solved: 'Solved' } as const

export const MIGRATION_STATUS_LABELS = {
  planned: 'Planned',
  in_progress: 'In progress',
  done: 'Done',
  postponed: 'Postponed',
  rolled_back: 'Rolled back',
} as const

// eslint-disable-next-line no-control-regex
const NUL = /\u0000/

export const TitleField = textField('a title', { min: TITLE_MIN, max: TITLE_MAX })

/** A Markdown body: required, at most `max` characters, no NUL bytes. */
export function bodyField(label: string, max = BODY_MAX) {
  return z
    .string({ error: `Write ${label}.` })
    .refine((v) => v.trim().length > 0, `Write ${label}.`)
    .refine((v) => v.length <= max, `Keep it under ${max.toLocaleString('en')} characters (it is longer now).`)
    .refine((v) => !NUL.test(v), 'The text contains characters that are not allowed.')
}

const TAG = /^[\p{L}\p{N}][\p{L}\p{N}+#.\-_]*$/u

/** "ssl, Timeouts  upgrade" → ['ssl', 'timeouts', 'upgrade']: lower-cased, unique. */
export const TagsField = z
  .string()
  .max(1000, 'Tags are too long.')
  .default('')
  .transform((v) => [...new Set(stripBidiControls(v).split(/[,\s]+/).map((t) => t.trim().toLowerCase().replace(/^#/, '')).filter(Boolean))])
  .refine((tags) => tags.length <= TAGS_MAX, `Use at most ${TAGS_MAX} tags.`)
  .refine((tags) => tags.every((t) => t.length <= TAG_MAX), `Each tag can be at most ${TAG_MAX} characters.`)
  .refine(
    (tags) => tags.every((t) => TAG.test(t)),
    'Tags are single words of letters and digits (with - . + # _), separated by commas or spaces.',
  )

/** A required id picked from a list; `message` says what to choose. */
const requiredId = idField
const IdField = requiredId('Choose a value from the list.')
const OptionalId = z
  .string()
  .trim()
  .max(64)
  .refine((v) => v === '' || isSafeId(v), 'Choose a value from the list.')
  .optional()
  .transform((v) => (v ? v : undefined))

/** A one-time key rendered into each form so a double submit creates one post. */
export const SubmissionKeyField = z.string().trim().max(64).optional()

const VersionIds = z.array(IdField).max(50, 'Choose at most 50 versions.').default([])

export const ProblemSchema = z.object({
  title: TitleField,
  body: bodyField('what happens, and what you expected'),
  productId: requiredId('Choose a product.'),
  versionIds: VersionIds,
  tags: TagsField,
  /** Community (default), or private: the author, the colleagues in `readerIds`, and support. */
  visibility: z.enum(PROBLEM_VISIBILITIES, { error: 'Choose who can read it: the community, or only you, the colleagues you pick and support.' }).default('community'),
  /** Private only: members of the author's organization to share it with (checked on the server). */
  readerIds: z.array(IdField).max(READERS_MAX, `Share it with at most ${READERS_MAX} colleagues.`).default([]),
  /** The optional "I found a workaround" part. */
  workaround: z
    .string()
    .max(BODY_MAX, `Keep the workaround under ${BODY_MAX.toLocaleString('en')} characters.`)
    .refine((v) => !NUL.test(v), 'The text contains characters that are not allowed.')
    .optional()
    .transform((v) => (v && v.trim() ? v : undefined)),
  submissionKey: SubmissionKeyField,
})

export const WorkaroundSchema = z.object({
  body: bodyField('how you solved or avoided the problem'),
  submissionKey: SubmissionKeyField,
})

export const StorySchema = z.object({
  title: TitleField,
  body: bodyField('your story'),
  productId: requiredId('Choose a product.'),
  versionIds: VersionIds,
  tags: TagsField,
  relatedPostId: OptionalId,
  submissionKey: SubmissionKeyField,
})

const DateField = (label: string) =>
  z
    .string({ error: `Enter ${label}.` })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `Enter ${label} as a date (YYYY-MM-DD).`)
    .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), `Enter ${label} as a real date.`)

export const MigrationSchema = z
  .object({
    productId: requiredId('Choose a product.'),
    fromVersionId: requiredId('Choose the version you move from.'),
    toVersionId: requiredId('Choose the version you move to.'),
    windowStart: DateField('the planned date'),
    windowEnd: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v ? v : undefined))
      .pipe(DateField('the end of the window').optional()),
    status: z.enum(MIGRATION_STATUSES, { error: 'Choose a status.' }).default('planned'),
    body: z
      .string()
      .max(BODY_MAX, `Keep the notes under ${BODY_MAX.toLocaleString('en')} characters.`)
      .refine((v) => !NUL.test(v), 'The text contains characters that are not allowed.')
      .default(''),
    submissionKey: SubmissionKeyField,
  })
  .refine((v) => v.fromVersionId !== v.toVersionId, {
    message: 'The target version must differ from the current one.',
    path: ['toVersionId'],
  })
  .refine((v) => !v.windowEnd || v.windowEnd >= v.windowStart, {
    message: 'The window cannot end before it starts.',
    path: ['windowEnd'],
  })

export const MigrationStatusSchema = z.object({
  status: z.enum(MIGRATION_STATUSES, { error: 'Choose a status.' }),
})

export const ReplySchema = z.object({
  body: bodyField('your reply', REPLY_MAX),
  quotedReplyId: OptionalId,
  submissionKey: SubmissionKeyField,
})

export const EditPostSchema = z.object({
  title: TitleField.optional(),
  body: bodyField('the text'),
  tags: TagsField.optional(),
})

export const EditReplySchema = z.object({ body: bodyField('your reply', REPLY_MAX) })

export const HideSchema = z.object({
  reason: textField('a reason the author will see', { min: 3, max: REASON_MAX }),
})

export const VisibilitySchema = z.object({
  visibility: z.enum(VISIBILITIES, { error: 'Choose community, private or staff-only.' }),
})

/** A product slug or version id in a list filter: anything else (a NUL…) is ignored. */
const FilterId = z
  .string()
  .max(64)
  .refine((v) => isSafeId(v))
  .optional()
  .catch(undefined)

export const ActivityFiltersSchema = z.object({
  kind: z.enum(POST_KINDS).optional().catch(undefined),
  product: FilterId,
  version: FilterId,
  state: z.enum(PROBLEM_STATES).optional().catch(undefined),
})
