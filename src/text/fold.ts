/**
 * The one fold: the form in which text is compared, searched and matched by phrase patterns.
 * Lower case; accents and other marks removed after compatibility decomposition (NFKD, so
 * "intéressé" → "interesse", "ﬁ" → "fi", full-width "Ｊａｎｅ" → "jane"); letters with no
 * decomposition spelled out ("ß" → "ss", "æ" → "ae", "ø" → "o"); curly quotes and apostrophes
 * straight; dashes one hyphen; every run of whitespace one space. People type with and without
 * accents, and "Strauss" for "Strauß": folding both sides makes them meet.
 */

/** Letters that have no decomposition into a base letter and a mark. */
const SPELLED_OUT: Readonly<Record<string, string>> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ħ: 'h' };

export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþıħ]/g, (letter) => SPELLED_OUT[letter] ?? letter)
    .replace(/[‘’ʼ′`´]/g, "'")
    .replace(/[“”„″«»]/g, '"')
    .replace(/[‐‑‒–—―]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}
