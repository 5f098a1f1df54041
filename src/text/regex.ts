/**
 * Text as a literal inside a regular expression. Not RegExp.escape: that needs Node 24, and it
 * writes a space as "\x20", which callers that widen spaces to "\s+" after escaping would miss.
 */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Words as one regular-expression alternation: each once, longest first (so "fwd" wins over "fw"), escaped. */
export function alternation(words: readonly string[]): string {
  return [...new Set(words)]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|');
}
