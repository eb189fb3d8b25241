/**
 * Forms of the quiet-customers page: the days filter (GET) and the
 * check-in message. Safe for the client; the limits are shown on the form.
 */
import { z } from 'zod'
import { bodyField, SubmissionKeyField } from '~/modules/posts/posts.schema'
import { textField } from '~/utils/forms'

/** Fewest and most days the page looks back (QUIET_DAYS has the same range). */
export const QUIET_DAYS_MIN = 7
export const QUIET_DAYS_MAX = 365

export const CHECK_IN_SUBJECT_MAX = 200
export const CHECK_IN_BODY_MAX = 5000
/** More people than an organization has signed up so far; a forged list cannot grow without end. */
export const CHECK_IN_RECIPIENTS_MAX = 200

export const QUIET_DAYS_MESSAGE = `Choose a whole number of days from ${QUIET_DAYS_MIN} to ${QUIET_DAYS_MAX}.`

/** `?days=`: how long an organization must have been silent to be listed. */
export const QuietFilterSchema = z.object({
  days: z.coerce
    .number({ error: QUIET_DAYS_MESSAGE })
    .int(QUIET_DAYS_MESSAGE)
    .min(QUIET_DAYS_MIN, QUIET_DAYS_MESSAGE)
    .max(QUIET_DAYS_MAX, QUIET_DAYS_MESSAGE),
})

const PersonId = z.string().trim().min(1).max(64)

/** The check-in form: who it goes to, and the message as support edited it. */
export const CheckInSchema = z.object({
  subject: textField('a subject', { max: CHECK_IN_SUBJECT_MAX }),
  // Browsers send line breaks as CRLF: counted and stored as plain LF, the way the text box counts them.
  body: z
    .string({ error: 'Write a message.' })
    .transform((v) => v.replace(/\r\n?/g, '\n'))
    .pipe(bodyField('a message', CHECK_IN_BODY_MAX)),
  recipientIds: z
    .array(PersonId, { error: 'Choose at least one person to write to.' })
    .min(1, 'Choose at least one person to write to.')
    .max(CHECK_IN_RECIPIENTS_MAX, `Choose at most ${CHECK_IN_RECIPIENTS_MAX} people.`),
  submissionKey: SubmissionKeyField,
})

export type CheckInInput = z.input<typeof CheckInSchema>
