/**
 * Bidirectional control characters in one-line texts (titles, names, tags,
 * email subjects). U+202E (RIGHT-TO-LEFT OVERRIDE) makes `gnp.exe` display
 * as `exe.png`; the embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) and the invisible marks (U+200E, U+200F, U+061C) can
 * reorder or hide what a reader sees next to them. Nobody needs them in a
 * title or a name — the Unicode bidi algorithm orders Arabic or Hebrew
 * text correctly without them — so they are removed when such a text is
 * saved, and again when it is rendered where it cannot be isolated
 * (email subjects, feeds), for rows saved before this rule. Bodies
 * (Markdown) keep them: there, long right-to-left passages may need them.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g

/** `text` without bidirectional control characters. */
export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '')
}

