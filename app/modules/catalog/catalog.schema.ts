/**
 * The catalog forms (products and their versions), one zod schema each, safe
 * to import in the browser. Limits live here and are shown next to the fields.
 */
import { z } from 'zod'
import { textField } from '~/utils/forms'

export const PRODUCT_NAME_MIN = 2
export const PRODUCT_NAME_MAX = 80
export const SLUG_MIN = 2
export const SLUG_MAX = 60
export const DESCRIPTION_MAX = 500
export const VERSION_NAME_MAX = 40

/** Lower-case letters and digits in groups joined by single dashes: "relay-server-2". */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

const SLUG_RULE = `Use ${SLUG_MIN} to ${SLUG_MAX} lower-case letters, digits and dashes, such as relay-server.`

/**
 * The web address part derived from a product's name: accents dropped,
 * lower-cased, every run of other characters turned into one dash, cut to
 * SLUG_MAX without a dangling dash. May come out too short (a name in
 * another script), which ProductSchema reports on the slug field.
 */
export function slugify(name: string) {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX)
    .replace(/-+$/, '')
}

const ProductNameField = textField('the product’s name', { min: PRODUCT_NAME_MIN, max: PRODUCT_NAME_MAX })

/** Optional multi-line text; an absent field counts as empty. */
const DescriptionField = textField('the description', { min: 0, max: DESCRIPTION_MAX }).optional().default('')

const isSlug = (slug: string) => slug.length >= SLUG_MIN && slug.length <= SLUG_MAX && SLUG_PATTERN.test(slug)

/** Optional slug as typed: trimmed and lower-cased; empty means "derive it from the name". */
const SlugInputField = z
  .string()
  .trim()
  .toLowerCase()
  .optional()
  .transform((v) => v || undefined)
  .refine((v) => v === undefined || isSlug(v), `This web address is not allowed. ${SLUG_RULE}`)

/** Adding a product. The slug is its web address (/products/<slug>) and never changes afterwards. */
export const ProductSchema = z
  .object({ name: ProductNameField, slug: SlugInputField, description: DescriptionField })
  .transform((v, ctx) => {
    const slug = v.slug ?? slugify(v.name)
    // Only a derived slug can be wrong here: a typed one was checked by its field.
    if (!isSlug(slug)) {
      ctx.addIssue({
        code: 'custom',
        path: ['slug'],
        message: `We could not make a web address from this name. Enter a slug: ${SLUG_RULE.charAt(0).toLowerCase()}${SLUG_RULE.slice(1)}`,
      })
      return z.NEVER
    }
    return { name: v.name, slug, description: v.description }
  })

/** Renaming a product: its name and description. The slug stays, so links keep working. */
export const RenameSchema = z.object({ name: ProductNameField, description: DescriptionField })

const VersionNameField = textField('the version name', { max: VERSION_NAME_MAX })

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** True for a real calendar day written YYYY-MM-DD (no 2025-02-30). */
export function isCalendarDate(value: string) {
  const match = ISO_DATE.exec(value)
  if (!match) return false
  const date = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value
}

/** Optional release date; empty means unknown (null). */
const ReleasedOnField = z
  .string()
  .trim()
  .optional()
  .transform((v) => v || null)
  .refine((v) => v === null || isCalendarDate(v), 'Enter the release date as YYYY-MM-DD, such as 2025-03-31, or leave it empty.')

/** Adding a version to a product, e.g. "5.1" or "2025.2". */
export const VersionSchema = z.object({ name: VersionNameField, releasedOn: ReleasedOnField })

/** Renaming a version (and correcting its release date). */
export const RenameVersionSchema = VersionSchema.extend({
  versionId: z.string({ error: 'Choose a version.' }).min(1, 'Choose a version.').max(64, 'Choose a version.'),
})

/** Retiring or restoring a version. */
export const VersionTargetSchema = RenameVersionSchema.pick({ versionId: true })

export type ProductInput = z.output<typeof ProductSchema>
export type RenameInput = z.output<typeof RenameSchema>
export type VersionInput = z.output<typeof VersionSchema>
