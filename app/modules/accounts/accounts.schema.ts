/**
 * The account forms, one zod schema each, safe to import in the browser.
 * Limits live here and are shown next to the fields.
 */
import { z } from 'zod'
import { CurrentPasswordField, NewPasswordField } from '~/modules/auth/password.schema'
import { EmailField, textField } from '~/utils/forms'

export const NAME_MAX = 100
export const ORGANIZATION_NAME_MAX = 120
export const ROLES = ['customer', 'support', 'admin'] as const

export const NameField = textField('your name', { max: NAME_MAX })

const confirmMatches = <T extends { password: string; confirmPassword: string }>(v: T) =>
  v.password === v.confirmPassword

const confirmIssue = { message: 'The two passwords do not match.', path: ['confirmPassword'] }

export const SignInSchema = z.object({
  email: EmailField,
  password: CurrentPasswordField,
  redirectTo: z.string().optional(),
})

export const SignUpRequestSchema = z.object({ email: EmailField })

/** Completing a sign-up, from an invitation or a confirmed email domain. */
export const CompleteSignUpSchema = z
  .object({
    name: NameField,
    password: NewPasswordField,
    confirmPassword: z.string({ error: 'Type the password again.' }),
  })
  .refine(confirmMatches, confirmIssue)

export const ForgotPasswordSchema = z.object({ email: EmailField })

export const ResetPasswordSchema = z
  .object({
    password: NewPasswordField,
    confirmPassword: z.string({ error: 'Type the password again.' }),
  })
  .refine(confirmMatches, confirmIssue)

export const ChangePasswordSchema = z
  .object({
    currentPassword: CurrentPasswordField,
    password: NewPasswordField,
    confirmPassword: z.string({ error: 'Type the password again.' }),
  })
  .refine(confirmMatches, confirmIssue)

export const ChangeEmailSchema = z.object({
  email: EmailField,
  currentPassword: CurrentPasswordField,
})

/** The profile form. Role, organization and email are not part of it on purpose. */
export const ProfileSchema = z.object({ name: NameField })

const DOMAIN = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/

/** "a.com, b.org" or one per line → a clean, unique list. */
export const DomainsField = z
  .string()
  .max(2000, 'List at most 2000 characters of domains.')
  .default('')
  .transform((v) =>
    [...new Set(v.split(/[\s,;]+/).map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean))],
  )
  .refine((list) => list.length <= 20, 'An organization can have at most 20 domains.')
  .superRefine((list, ctx) => {
    const bad = list.filter((d) => !DOMAIN.test(d))
    if (bad.length) ctx.addIssue({ code: 'custom', message: `Not a domain name: ${bad.join(', ')}. Use a form like example.com.` })
  })

export const OrganizationSchema = z.object({
  name: textField('the organization’s name', { max: ORGANIZATION_NAME_MAX }),
  domains: DomainsField,
})

export const DomainsSchema = z.object({ domains: DomainsField })

export const InviteSchema = z.object({
  email: EmailField,
  role: z.enum(ROLES, { error: 'Choose a role: customer, support or admin.' }),
})

export const RoleSchema = z.object({
  role: z.enum(ROLES, { error: 'Choose a role: customer, support or admin.' }),
})
