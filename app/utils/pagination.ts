/** The 1-based page number in `?page=`, clamped to something sane. */
export function pageFrom(url: URL, max = 10_000) {
  const page = Number.parseInt(url.searchParams.get('page') ?? '1', 10)
  return Number.isFinite(page) && page >= 1 ? Math.min(page, max) : 1
}
