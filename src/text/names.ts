import { fold } from './fold.ts';
import { cleanLine } from './line.ts';

/**
 * Name rules: which words around a person's name are titles or suffixes, the first name to greet
 * someone by, and the form in which two spellings of one name compare equal.
 */

/** Titles in front of a name: "Dr. Jane Doe", "Herr Müller", "Sra. García", "Dott. Rossi", "Dipl.-Ing.". */
export const TITLES: ReadonlySet<string> = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'dame', 'herr', 'frau', 'mme', 'mlle', 'm', 'sr', 'sra', 'srta', 'dott', 'ing', 'dipl']);
/**
 * Suffixes after a name: "Jane Doe, PhD", "John Smith Jr.". Not MA, BA or PE: those are also
 * names ("Long, Ma" is Ma Long), and a name lost is worse than a degree kept.
 */
export const SUFFIXES: ReadonlySet<string> = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'mba', 'msc', 'bsc', 'esq', 'cpa', 'pmp', 'dds', 'cfa', 'llm']);

/** Longest name worth comparing; anything longer is not a person's name. */
const MAX_NAME_CHARS = 200;

function bareWord(word: string): string {
  return word.toLowerCase().replace(/[.()'"]/g, '');
}

/** The first name from a display name: "Jane Doe" → "Jane", "Doe, Jane" → "Jane", "Dr. Jane Doe" → "Jane". */
export function firstNameOf(name: string): string {
  let rest = name.trim().replace(/^["'“‘(\s]+|["'”’)\s]+$/g, '');
  const comma = rest.indexOf(',');
  if (comma > 0) {
    const before = rest.slice(0, comma).trim();
    const after = rest.slice(comma + 1).trim();
    const afterFirst = after.split(/\s+/)[0] ?? '';
    // "Doe, Jane" is the directory form; "Jane Doe, PhD" carries a suffix after the comma.
    if (after !== '' && !before.includes(' ') && !SUFFIXES.has(bareWord(afterFirst))) rest = after;
    else rest = before;
  }
  const words = rest.split(/\s+/).filter((word) => word !== '');
  while (words.length > 1 && TITLES.has(bareWord(words[0] ?? ''))) words.shift();
  const first = (words[0] ?? '').replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}.'’-]+$/gu, '');
  return first.includes('@') ? '' : cleanLine(first, 60);
}

function words(text: string): string[] {
  // Apostrophes join (O'Brien is obrien); every other non-letter separates.
  return fold(text)
    .replace(/'/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
}

/**
 * A person's name as compared: folded (no case, no accents, "ß" as "ss"), no punctuation, no
 * titles, and "Last, First" turned round ("Doe, Jane" is "jane doe"). '' when nothing of a name is left.
 */
export function normaliseName(name: string): string {
  const text = name.slice(0, MAX_NAME_CHARS);
  const parts = text.split(',').map(words);
  // "Jane Doe, PhD" and "Doe, Jane, Jr." lose the suffix; "Doe, Jane" is then turned round.
  while (parts.length > 1 && parts.at(-1)!.every((word) => SUFFIXES.has(word))) parts.pop();
  const ordered = parts.length === 2 ? [...parts[1]!, ...parts[0]!] : parts.flat();
  // Titles in front and suffixes behind go, as long as two words of the name remain.
  let start = 0;
  let end = ordered.length;
  while (end - start > 2 && TITLES.has(ordered[start]!)) start++;
  while (end - start > 2 && SUFFIXES.has(ordered[end - 1]!)) end--;
  return ordered.slice(start, end).join(' ');
}

/**
 * The keys a name is filed and looked up under: the whole normalised name, then first and last
 * word alone when there are middle names ("Jane Q. Doe" is also "jane doe").
 */
export function nameKeys(name: string): string[] {
  const whole = normaliseName(name);
  if (whole === '') return [];
  const parts = whole.split(' ');
  return parts.length > 2 ? [whole, `${parts[0]} ${parts.at(-1)}`] : [whole];
}
