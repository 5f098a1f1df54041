/**
 * Words and patterns of folded text. Phrase patterns are written against the one fold
 * (src/text/fold.ts, re-exported by ./index.ts): lower case, no accents, "ß" as "ss", quotes
 * straight, whitespace single.
 */

/** Words of a folded text: runs of letters and digits (apostrophes and hyphens kept inside words). */
export function wordsOf(folded: string): string[] {
  return folded.match(/[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*/gu) ?? [];
}

/** A pattern that finds every hit, for counting and cutting. */
export function global(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
}
