/**
 * Folding: the one form every phrase pattern is written against. Lower-case, accents removed
 * ("intéressé" → "interesse", "mañana" → "manana"), "ß" as "ss", ligatures spelled out, curly
 * quotes and apostrophes straight, every run of whitespace one space. People type with and without
 * accents; folding both the text and the patterns makes them meet.
 */

const LIGATURES: Record<string, string> = { ß: 'ss', œ: 'oe', æ: 'ae', ø: 'o', ł: 'l', đ: 'd', ı: 'i' };

export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßœæøłđı]/g, (letter) => LIGATURES[letter] ?? letter)
    .replace(/[‘’ʼ′`´]/g, "'")
    .replace(/[“”„″«»]/g, '"')
    .replace(/[‐‑‒–—―]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Words of a folded text: runs of letters and digits (apostrophes and hyphens kept inside words). */
export function wordsOf(folded: string): string[] {
  return folded.match(/[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*/gu) ?? [];
}

/** A pattern that finds every hit, for counting and cutting. */
export function global(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
}
