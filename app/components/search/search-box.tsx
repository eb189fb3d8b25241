import { Form, useFetcher, useNavigate } from '@remix-run/react'
import { useEffect, useId, useRef, useState } from 'react'
import { type loader as suggestLoader } from '~/routes/search.suggest'

type Option = { key: string; label: string; hint: string; href: string }

/**
 * The header search box. Without JavaScript it is a plain GET form to
 * /search. With it, it becomes an ARIA 1.2 combobox: suggestions (completions
 * and top matching posts) load as you type, debounced; arrow keys move
 * through them, Enter opens one, Escape closes the list.
 */
export function SearchBox() {
  const fetcher = useFetcher<typeof suggestLoader>()
  const navigate = useNavigate()
  const listId = useId()
  const [value, setValue] = useState('')
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(-1)
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined)
  const { load } = fetcher

  useEffect(() => () => clearTimeout(timer.current), [])

  const data = fetcher.data
  const options: Option[] = value.trim().length >= 2 && data
    ? [
        ...data.completions.map((c) => ({ key: `c:${c}`, label: c, hint: 'Search', href: `/search?${new URLSearchParams({ q: c })}` })),
        ...data.matches.map((m) => ({
          key: `m:${m.id}`,
          label: m.title,
          hint: m.verified ? 'Verified solution' : m.accepted || m.state === 'solved' ? 'Solved' : m.kind === 'problem' ? 'Problem' : m.kind === 'story' ? 'Story' : 'Migration',
          href: `/posts/${m.id}`,
        })),
      ]
    : []
  const expanded = open && options.length > 0

  function onChange(next: string) {
    setValue(next)
    setActive(-1)
    setOpen(true)
    clearTimeout(timer.current)
    if (next.trim().length >= 2) {
      timer.current = setTimeout(() => load(`/search/suggest?${new URLSearchParams({ q: next })}`), 200)
    }
  }

  function onKeyDown(event: React.KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown' && options.length) {
      event.preventDefault()
      setOpen(true)
      setActive((i) => (i + 1) % options.length)
    } else if (event.key === 'ArrowUp' && options.length) {
      event.preventDefault()
      setOpen(true)
      setActive((i) => (i <= 0 ? options.length - 1 : i - 1))
    } else if (event.key === 'Escape') {
      setOpen(false)
      setActive(-1)
    } else if (event.key === 'Enter' && expanded && active >= 0) {
      event.preventDefault()
      setOpen(false)
      navigate(options[active]!.href)
    }
  }

  return (
    <Form method="get" action="/search" role="search" className="relative w-full max-w-md" onSubmit={() => setOpen(false)}>
      <label htmlFor="site-search" className="sr-only">
        Search problems, workarounds, stories and migrations
      </label>
      <input
        id="site-search"
        type="search"
        name="q"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onFocus={() => setOpen(true)}
        placeholder="Search problems, workarounds, stories…"
        className="input"
        maxLength={256}
        autoComplete="off"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label="Suggestions"
        hidden={!expanded}
        className="absolute z-20 mt-1 max-h-96 w-full overflow-auto rounded-md border border-slate-200 bg-white py-1 shadow-lg"
      >
        {options.map((option, i) => (
          <li
            key={option.key}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            className={`flex cursor-pointer items-baseline justify-between gap-3 px-3 py-2 text-sm ${i === active ? 'bg-brand-50' : ''}`}
            onMouseDown={(e) => {
              e.preventDefault()
              setOpen(false)
              navigate(option.href)
            }}
          >
            <span className="truncate text-slate-900">{option.label}</span>
            <span className="shrink-0 text-xs text-slate-600">{option.hint}</span>
          </li>
        ))}
      </ul>
    </Form>
  )
}
