import { Form } from '@remix-run/react'
import { KIND_LABELS, STATE_LABELS } from '~/modules/posts/posts.schema'

type ProductOption = { id: string; slug: string; name: string; versions: { id: string; name: string }[] }

export type FilterValues = { kind?: string; product?: string; version?: string; state?: string }

function Select({ id, label, name, value, children }: { id: string; label: string; name: string; value?: string; children: React.ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="label">
        {label}
      </label>
      <select id={id} name={name} defaultValue={value ?? ''} className="input">
        {children}
      </select>
    </div>
  )
}

/**
 * The kind / product / version / state selects shared by the home page's
 * activity filters and the search page (GET parameters of the same names).
 */
export function PostFilterFields({
  idPrefix,
  products,
  values,
  kinds = Object.keys(KIND_LABELS) as (keyof typeof KIND_LABELS)[],
}: {
  idPrefix: string
  products: ProductOption[]
  values: FilterValues
  kinds?: (keyof typeof KIND_LABELS)[]
}) {
  return (
    <>
      <Select id={`${idPrefix}-kind`} label="Kind" name="kind" value={values.kind}>
        <option value="">All kinds</option>
        {kinds.map((kind) => (
          <option key={kind} value={kind}>
            {KIND_LABELS[kind]}
          </option>
        ))}
      </Select>
      <Select id={`${idPrefix}-product`} label="Product" name="product" value={values.product}>
        <option value="">All products</option>
        {products.map((p) => (
          <option key={p.id} value={p.slug}>
            {p.name}
          </option>
        ))}
      </Select>
      <Select id={`${idPrefix}-version`} label="Version" name="version" value={values.version}>
        <option value="">All versions</option>
        {products.map((p) => (
          <optgroup key={p.id} label={p.name}>
            {p.versions.map((v) => (
              <option key={v.id} value={v.id}>
                {p.name} {v.name}
              </option>
            ))}
          </optgroup>
        ))}
      </Select>
      <Select id={`${idPrefix}-state`} label="State (problems)" name="state" value={values.state}>
        <option value="">Any state</option>
        {Object.entries(STATE_LABELS).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </Select>
    </>
  )
}

/**
 * A GET form that narrows a support page (the queue, the migration radar) to
 * one product: `?product=<slug>`, empty for every product. `idPrefix` keeps
 * the select's id unique on its page.
 */
export function ProductFilterForm({ idPrefix, products, value }: { idPrefix: string; products: { slug: string; name: string }[]; value: string }) {
  return (
    <Form method="get" className="flex flex-wrap items-end gap-3">
      <div>
        <label htmlFor={`${idPrefix}-product`} className="block text-sm font-medium">
          Product
        </label>
        <select id={`${idPrefix}-product`} name="product" defaultValue={value} className="input">
          <option value="">All products</option>
          {products.map((p) => (
            <option key={p.slug} value={p.slug}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="btn-secondary">
        Filter
      </button>
    </Form>
  )
}
