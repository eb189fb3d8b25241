import { z } from 'zod'
import { isSafeId } from '~/utils/forms'

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .catch(undefined)

/** The search page's URL parameters; anything malformed is ignored rather than refused. */
export const SearchParamsSchema = z.object({
  q: z.string().optional().catch(undefined),
  kind: z.enum(['problem', 'story', 'migration']).optional().catch(undefined),
  product: z.string().max(64).refine(isSafeId).optional().catch(undefined),
  version: z.string().max(64).refine(isSafeId).optional().catch(undefined),
  state: z.enum(['open', 'answered', 'solved']).optional().catch(undefined),
  from: date,
  to: date,
})

/** Queries are clamped to this many characters. */
export const QUERY_MAX = 256
