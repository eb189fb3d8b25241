/**
 * Forms of the support console, shared by the page and its action.
 */
import { z } from 'zod'
import { choiceField, idField } from '~/utils/forms'

/** The queue's row buttons: take a problem or let it go. */
export const AssignSchema = z.object({
  intent: choiceField(['assign', 'unassign'] as const, 'Choose whether to take or release the problem.'),
  problemId: idField('Choose a problem.'),
})

/**
 * The product filter (GET `?product=<slug>`) of the queue and the migration
 * radar; an empty or malformed value means every product.
 */
export const ProductFilterSchema = z.object({
  product: z
    .string()
    .max(60)
    .regex(/^[a-z0-9-]*$/)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
})

/** The product slug a support page's address filters by, or undefined for every product. */
export function productFilterFrom(url: URL): string | undefined {
  return ProductFilterSchema.parse({ product: url.searchParams.get('product') ?? undefined }).product
}
