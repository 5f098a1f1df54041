import { LANGUAGES, type Language } from '../../vocabulary/contact.ts';
import { de } from './de.ts';
import { en } from './en.ts';
import { es } from './es.ts';
import { fr } from './fr.ts';
import { it } from './it.ts';
import { nl } from './nl.ts';
import { pt } from './pt.ts';
import { wordsOf } from './fold.ts';
import type { LanguagePhrases } from './types.ts';

export { fold } from '../../text/fold.ts';
export { wordsOf } from './fold.ts';
export type { DateWords, LanguagePhrases } from './types.ts';

/** Every supported language's phrases. Adding a language: a file beside this one, and a line here. */
export const PHRASES: Readonly<Record<Language, LanguagePhrases>> = { en, de, fr, es, pt, it, nl };

export const ALL_PHRASES: readonly LanguagePhrases[] = LANGUAGES.map((language) => PHRASES[language]);

/** One phrase found in a folded text. */
export interface PhraseHit {
  language: Language;
  /** The matched (folded) words, for reasons shown to the user. */
  phrase: string;
  index: number;
}

type PatternList = (phrases: LanguagePhrases) => readonly RegExp[];

/** The first hit of a list of patterns, looked up in the given languages in order. */
export function findPhrase(folded: string, list: PatternList, languages: readonly LanguagePhrases[] = ALL_PHRASES): PhraseHit | null {
  for (const phrases of languages) {
    for (const pattern of list(phrases)) {
      const match = pattern.exec(folded);
      if (match) return { language: phrases.language, phrase: match[0].trim(), index: match.index };
    }
  }
  return null;
}

/** Every hit of a list of patterns in the given languages (each pattern's hits, in order). */
export function findPhrases(folded: string, list: PatternList, languages: readonly LanguagePhrases[] = ALL_PHRASES): PhraseHit[] {
  const hits: PhraseHit[] = [];
  for (const phrases of languages) {
    for (const pattern of list(phrases)) {
      const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
      for (const match of folded.matchAll(new RegExp(pattern.source, flags))) {
        if (match[0] === '') continue;
        hits.push({ language: phrases.language, phrase: match[0].trim(), index: match.index });
      }
    }
  }
  return hits;
}

const COMMON_WORDS: ReadonlyMap<Language, ReadonlySet<string>> = new Map(ALL_PHRASES.map((phrases) => [phrases.language, new Set(phrases.commonWords)]));

/**
 * The language a folded text is written in: the one whose frequent words it uses most, with
 * `evidence` (phrases already recognised, such as a refusal in that language) counting double.
 * Null when the text is too short or two languages tie.
 */
export function detectLanguage(folded: string, evidence: readonly Language[] = []): Language | null {
  // Links and addresses are no one's language ("com" is Portuguese for "with").
  const prose = folded
    .split(' ')
    .filter((token) => !/:\/\/|^www\.|@|\.(?:com|org|net)\b/.test(token))
    .join(' ');
  const words = wordsOf(prose).slice(0, 2000);
  const scores = new Map<Language, number>();
  for (const word of words) {
    for (const [language, common] of COMMON_WORDS) {
      if (common.has(word)) scores.set(language, (scores.get(language) ?? 0) + 1);
    }
  }
  for (const language of evidence) scores.set(language, (scores.get(language) ?? 0) + 2);
  const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1]);
  const [best, second] = ranked;
  if (!best) return null;
  // One frequent word is no evidence ("no" is Portuguese, Spanish and English alike).
  if (best[1] < 2 || (second !== undefined && second[1] === best[1])) return null;
  return best[0];
}
