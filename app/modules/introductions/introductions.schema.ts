/** The introduction forms, one zod schema each, safe for the browser. */
import { z } from 'zod'
import { bodyField, REPLY_MAX, SubmissionKeyField } from '~/modules/posts/posts.schema'
import { CheckboxField, EmailField, idField, isSafeId } from '~/utils/forms'

export const NOTE_MAX = 2000

const noteField = (who: string) => bodyField(`a short note to ${who}`, NOTE_MAX)

export const ProposeSchema = z.object({
  solverId: idField('Choose the customer to introduce.'),
  qualifyingPostId: z
    .string()
    .trim()
    .max(64)
    .refine((v) => v === '' || isSafeId(v), 'Choose a workaround from the list.')
    .optional()
    .transform((v) => v || undefined),
  askerNote: noteField('the person who asked'),
  solverNote: noteField('the person who solved it'),
})

export const RespondSchema = z.object({
  answer: z.enum(['accepted', 'declined'], { error: 'Choose yes or no.' }),
})

export const MessageSchema = z.object({
  body: bodyField('a message', REPLY_MAX),
  submissionKey: SubmissionKeyField,
})

export const OutcomeSchema = z.object({
  helped: z.enum(['yes', 'no'], { error: 'Choose yes or no.' }),
})

export const IntroductionSettingsSchema = z.object({
  introductionsEnabled: CheckboxField,
  contactEmail: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined)
    .pipe(EmailField.optional()),
})

export const INTRODUCTION_STATE_LABELS = {
  proposed: 'Waiting for answers',
  connected: 'Connected',
  declined: 'Declined',
  expired: 'Expired',
  withdrawn: 'Withdrawn',
  did_not_happen: 'Did not happen',
} as const
