import { LANGUAGES, type Language } from '../types.ts';

/**
 * What every detector needs to know of a language beyond its request phrases: how a mail greets
 * ("Hi Morgan,"), and its most frequent short words, to tell which language a text is in when no
 * phrase said so. Adding a language is adding its entries here and its phrases in the platform files.
 */

/** A line that is only a greeting: never a personal note. Run on one trimmed line. */
export const GREETINGS: Record<Language, RegExp> = {
  en: greeting('hi|hello|hey|dear|good (?:morning|afternoon|evening)'),
  de: greeting('hallo|hi|hey|liebe[rs]?|sehr geehrte[rs]?|guten (?:tag|morgen|abend)|servus|moin'),
  fr: greeting('bonjour|bonsoir|salut|cher|chère|madame|monsieur'),
  es: greeting('hola|estimad[oa]s?|buen[oa]s (?:días|tardes|noches)|querid[oa]'),
  pt: greeting('olá|oi|prezad[oa]s?|car[oa]|bom dia|boa (?:tarde|noite)'),
  it: greeting('ciao|salve|buongiorno|buonasera|gentile|car[oa]'),
  nl: greeting('hallo|hoi|hey|beste|geachte|dag|goedemorgen|goedemiddag'),
};

/** A greeting word, up to three words of name or title, and a comma: "Hi Morgan,", "Dear Mr. Smith,". */
function greeting(words: string): RegExp {
  return new RegExp(String.raw`^(?:${words})(?:[ ,]+[\p{L}.'’-]{1,30}){0,3}\s*[,!.:]?$`, 'iu');
}

/** Frequent short words that belong to one language more than the others (lower-case, with accents). */
const COMMON_WORDS: Record<Language, readonly string[]> = {
  en: ['the', 'and', 'you', 'your', 'to', 'of', 'is', 'with', 'for', 'on', 'this', 'that', 'would', 'like', 'have', 'are', 'wants', 'please'],
  de: ['und', 'der', 'die', 'das', 'ich', 'sie', 'ihnen', 'mit', 'nicht', 'ist', 'auf', 'dir', 'möchte', 'gerne', 'einen', 'eine', 'bitte', 'hat'],
  fr: ['le', 'la', 'les', 'et', 'vous', 'votre', 'est', 'avec', 'pour', 'une', 'des', 'sur', 'je', 'souhaite', 'aimerais', 'ne', 'pas', 'à'],
  es: ['el', 'los', 'las', 'y', 'tu', 'usted', 'con', 'para', 'una', 'por', 'que', 'quiere', 'te', 'me', 'gustaría', 'en', 'es', 'del'],
  pt: ['o', 'os', 'as', 'e', 'você', 'seu', 'sua', 'com', 'para', 'uma', 'que', 'quer', 'não', 'de', 'do', 'da', 'gostaria', 'no'],
  it: ['il', 'lo', 'gli', 'e', 'di', 'che', 'con', 'per', 'una', 'non', 'ti', 'tuo', 'tua', 'vuole', 'vorrei', 'della', 'sono', 'è'],
  nl: ['de', 'het', 'een', 'en', 'je', 'jij', 'u', 'uw', 'met', 'voor', 'niet', 'is', 'wil', 'graag', 'van', 'op', 'ik', 'heeft'],
};

const WORD_SETS = Object.fromEntries(LANGUAGES.map((language) => [language, new Set(COMMON_WORDS[language])])) as Record<Language, Set<string>>;

/** Words read to guess a language; a notification says what it is in its first lines. */
const MAX_WORDS = 400;
/** A guess needs this many hits and a clear lead over the runner-up. */
const MIN_HITS = 3;

/** The language a text is most likely in, or null when the evidence is thin or close. */
export function guessLanguage(text: string): Language | null {
  const words = text.toLowerCase().match(/[\p{L}]+/gu)?.slice(0, MAX_WORDS) ?? [];
  const scores = LANGUAGES.map((language) => ({ language, hits: words.filter((word) => WORD_SETS[language].has(word)).length }));
  scores.sort((a, b) => b.hits - a.hits);
  const [best, second] = scores;
  if (!best || best.hits < MIN_HITS) return null;
  if (second && best.hits < second.hits * 1.5) return null;
  return best.language;
}

/**
 * Folded form for matching what people type (they skip accents): lower-case, accents removed,
 * "ß" as "ss", curly quotes and dashes straight, whitespace collapsed. Personal-request phrases
 * are written against this form; platform phrases are not (platforms spell their templates right).
 */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[‘’ʼ′`´]/g, "'")
    .replace(/[“”„″«»]/g, '"')
    .replace(/[‐‑‒–—―]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}
