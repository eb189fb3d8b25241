import { useState } from 'react'
import { useHydrated } from '~/utils/use-hydrated'

export type ProductOption = {
  id: string
  name: string
  versions: { id: string; name: string; retired: boolean }[]
}

/**
 * The product select of the post forms (`name="productId"`): controlled when
 * `value` is given, otherwise starting at `defaultValue`.
 */
export function ProductSelect({
  products,
  value,
  defaultValue,
  onChange,
  errors,
}: {
  products: { id: string; name: string }[]
  value?: string
  defaultValue?: string
  onChange?: (productId: string) => void
  errors?: string[]
}) {
  return (
    <div>
      <label htmlFor="productId" className="label">
        Product
      </label>
      <select
        id="productId"
        name="productId"
        className="input"
        {...(value !== undefined ? { value } : { defaultValue: defaultValue ?? '' })}
        onChange={onChange ? (e) => onChange(e.target.value) : undefined}
        aria-invalid={errors ? true : undefined}
        aria-describedby={errors ? 'productId-error' : undefined}
      >
        <option value="">Choose a product…</option>
        {products.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      {errors ? (
        <p id="productId-error" className="field-error">
          {errors[0]}
        </p>
      ) : null}
    </div>
  )
}

/**
 * A product select and, per product, its versions as checkboxes (or one
 * select per version role for migrations). Without JavaScript every
 * product's versions are listed; with it, only the chosen product's.
 */
export function ProductAndVersions({
  products,
  defaultProductId,
  defaultVersionIds = [],
  errors = {},
  versionsLabel = 'Affected versions',
}: {
  products: ProductOption[]
  defaultProductId?: string
  defaultVersionIds?: string[]
  errors?: Record<string, string[] | undefined>
  versionsLabel?: string
}) {
  const [productId, setProductId] = useState(defaultProductId ?? '')
  const hydrated = useHydrated()
  return (
    <div className="space-y-4">
      <ProductSelect products={products} value={productId} onChange={setProductId} errors={errors.productId} />
      <fieldset aria-describedby={errors.versionIds ? 'versionIds-error' : undefined}>
        <legend className="label">{versionsLabel} (optional)</legend>
        {products.map((p) => {
          const shown = !hydrated || p.id === productId
          const versions = p.versions.filter((v) => !v.retired || defaultVersionIds.includes(v.id))
          return (
            <div key={p.id} hidden={!shown} className="mt-1">
              {!hydrated ? <p className="text-xs font-medium text-slate-600">{p.name}</p> : null}
              <div className="flex flex-wrap gap-3">
                {versions.map((v) => (
                  <label key={v.id} className="inline-flex items-center gap-1.5 text-sm">
                    <input type="checkbox" name="versionIds" value={v.id} defaultChecked={defaultVersionIds.includes(v.id)} />
                    {v.name}
                  </label>
                ))}
              </div>
            </div>
          )
        })}
        {hydrated && !productId ? <p className="hint">Choose a product to see its versions.</p> : null}
        {errors.versionIds ? (
          <p id="versionIds-error" className="field-error">
            {errors.versionIds[0]}
          </p>
        ) : null}
      </fieldset>
    </div>
  )
}
