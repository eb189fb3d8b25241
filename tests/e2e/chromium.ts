import fs from 'node:fs'

/** Debian's Chromium, or CHROMIUM_PATH; null when neither exists. */
export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
    (p): p is string => Boolean(p),
  )
  return candidates.find((p) => fs.existsSync(p)) ?? null
}
