import type { Language } from '../../vocabulary/contact.ts';

/**
 * How a mail greets in each language ("Hi Morgan,"), so that a greeting is never taken for a
 * personal note. Frequent words, to tell which language a text is in when no phrase said so, are
 * in src/detect/phrases/ (`commonWords`, read by detectLanguage) with the rest of each language.
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
