import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Field, FormErrors, Notice, TextAreaField } from '~/components/ui/field'
import { SubmitButton } from '~/components/ui/submit-button'
import { requireRole } from '~/modules/auth/auth.server'
import { DESCRIPTION_MAX, PRODUCT_NAME_MAX, ProductSchema, SLUG_MAX } from '~/modules/catalog/catalog.schema'
import { createProduct, listProducts } from '~/modules/catalog/catalog.server'
import { parseForm } from '~/utils/forms'
import { commandFailure, forbidden, formFailure } from '~/utils/http.server'
import { noticeFrom } from '~/utils/notices'

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, 'admin')
  return { products: await listProducts(), notice: noticeFrom(args.request.url) }
}

export async function action(args: ActionFunctionArgs) {
  const admin = await requireRole(args, 'admin')
  const form = parseForm(await args.request.formData(), ProductSchema)
  if (!form.ok) return formFailure(form)
  const result = await createProduct(admin, form.data)
  if (!result.ok) {
    if (result.reason === 'forbidden') throw forbidden(result.message)
    return commandFailure(result, form.values)
  }
  throw redirect(`/admin/products/${result.value.slug}?notice=product-created`)
}

export default function ProductsPage() {
  const { products, notice } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const errors = actionData?.errors ?? {}
  const values: Record<string, string> = actionData?.values ?? {}
  return (
    <div className="space-y-6">
      <h1>Products</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      {products.length === 0 ? (
        <p className="text-slate-700">No products yet. Add the first one below; customers choose from them when they post.</p>
      ) : (
        <div className="card overflow-x-auto p-0">
          <table className="table">
            <caption className="sr-only">Products, their versions and how many posts concern them</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Versions</th>
                <th scope="col">Posts</th>
              </tr>
            </thead>
            <tbody>
              {products.map((product) => (
                <tr key={product.id}>
                  <td>
                    <Link to={`/admin/products/${product.slug}`}>{product.name}</Link>
                    <div className="text-xs text-slate-600">/products/{product.slug}</div>
                  </td>
                  <td>
                    {product.versions.length === 0 ? (
                      <span className="text-slate-600">none yet</span>
                    ) : (
                      <>
                        <ul className="flex flex-wrap gap-x-3 gap-y-1" aria-label={`Versions of ${product.name}`}>
                          {product.versions.map((v) => (
                            <li key={v.id} className={v.retiredAt ? 'text-slate-500 line-through' : ''}>
                              {v.name}
                              {v.retiredAt ? <span className="sr-only"> (retired)</span> : null}
                            </li>
                          ))}
                        </ul>
                        <div className="text-xs text-slate-600">
                          {product.activeVersionCount} offered
                          {product.retiredVersionCount ? `, ${product.retiredVersionCount} retired` : ''}
                        </div>
                      </>
                    )}
                  </td>
                  <td>{product.postCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section aria-labelledby="new-product" className="card">
        <h2 id="new-product">Add a product</h2>
        <Form method="post" className="mt-4 space-y-4" noValidate>
          <FormErrors errors={errors['']} />
          <Field
            label="Name"
            name="name"
            required
            maxLength={PRODUCT_NAME_MAX}
            defaultValue={values.name}
            errors={errors.name}
            hint={`2 to ${PRODUCT_NAME_MAX} characters, such as Relay Server.`}
          />
          <Field
            label="Slug (optional)"
            name="slug"
            maxLength={SLUG_MAX}
            defaultValue={values.slug}
            errors={errors.slug}
            autoCapitalize="none"
            spellCheck={false}
            hint={`The product’s web address, /products/<slug>: lower-case letters, digits and dashes, at most ${SLUG_MAX}. Leave it empty to make it from the name. It cannot be changed later, so links keep working.`}
          />
          <TextAreaField
            label="Description (optional)"
            name="description"
            defaultValue={values.description}
            errors={errors.description}
            hint={`At most ${DESCRIPTION_MAX} characters, shown on the product’s page.`}
          />
          <SubmitButton pendingText="Adding…">Add product</SubmitButton>
        </Form>
      </section>
    </div>
  )
}

export const meta: MetaFunction = () => [{ title: 'Products · Admin · Switchboard' }]
