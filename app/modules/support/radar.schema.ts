/**
 * Forms of the migration radar and the calendar settings, shared by the
 * pages and their actions (the radar's product filter is the queue's, in
 * support.schema.ts).
 */
import { z } from 'zod'
import { choiceField, idField } from '~/utils/forms'

const planField = idField

/** "Connect these customers": whose plan the introduction is about, and whom to introduce. */
export const ConnectCustomersSchema = z.object({
  migrationId: planField('Choose the customer to ask first.'),
  otherMigrationId: planField('Choose the customer to introduce them to.'),
})

/** The calendar settings' buttons. */
export const CalendarTokenSchema = z.object({
  intent: choiceField(['create', 'reset', 'revoke'] as const, 'Choose what to do with your calendar address.'),
})
