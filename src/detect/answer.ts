import type { Message } from '../mail/message.ts';
import { ALL_PHRASES, detectLanguage, findPhrase, findPhrases, fold, PHRASES, wordsOf, type LanguagePhrases, type PhraseHit } from './phrases/index.ts';
import { bodyText, extractUrls, stripQuoted } from './text.ts';
import type { AnswerReading } from './types.ts';
import type { AnswerScore, Flag, Language } from '../vocabulary/contact.ts';

/**
 * Reads a person's answer to the script: the new text only (quoted mail and signature cut), whether
 * it declines (a plain refusal, or taking offence), what it says (why, what business, what mutual
 * benefit), and flags for the user (sales pitch, link-heavy, hostile, very short). In English,
 * German, French, Spanish, Portuguese, Italian and Dutch (the phrase lists in ./phrases/).
 *
 * Conservative by design: only a short reply that is mostly a refusal counts as declined, and
 * hostility only when it is plain; anything with substance stays answered for the user to judge.
 *
 * Quoted text and signature are cut by stripQuoted (text.ts), shared with the other detectors.
 */

/** Longest text part kept as "the full text" (the mail itself stays in the user's mailbox). */
export const MAX_FULL_TEXT_CHARS = 100 * 1024;
/** Longest answer kept after stripping; a longer one is cut. */
const MAX_ANSWER_CHARS = 20_000;
/** A reply longer than this has substance, whatever refusal words it contains. */
const MAX_REFUSAL_WORDS = 40;
/** Words a refusal may carry besides the refusal itself and politeness. */
const MAX_LEFTOVER_WORDS = 6;
/** Hostility in a reply up to this long declines it; in a longer one only if it comes early or twice. */
const MAX_HOSTILE_WORDS = 80;
const HOSTILE_EARLY_CHARS = 200;
/** Under this many words an answer is "very short". */
const VERY_SHORT_WORDS = 8;
/** This many links make an answer link-heavy, as do links making up this share of its text. */
const LINK_HEAVY_COUNT = 3;
const LINK_HEAVY_SHARE = 0.4;

// eslint-disable-next-line no-control-regex -- keeping only newline and tab among control characters
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

function capped(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max).trimEnd()}…` : text;
}

interface Refusal {
  hit: PhraseHit;
}

/** A plain refusal: short, mostly refusal words, no "but ..." after it. */
function findRefusal(folded: string, language: Language | null): Refusal | null {
  if (folded === '') return null;
  const words = wordsOf(folded);
  if (words.length > MAX_REFUSAL_WORDS) return null;
  // "Not interested? Of course I am!" asks back; it does not refuse.
  const hits = findPhrases(folded, (phrases) => phrases.refusal).filter((hit) => !(/interes/.test(hit.phrase) && /^\s*\?/.test(folded.slice(hit.index + hit.phrase.length))));
  if (hits.length === 0) return null;
  const first = hits.reduce((earliest, hit) => (hit.index < earliest.index ? hit : earliest));
  const languages = new Set<Language>(hits.map((hit) => hit.language));
  if (language) languages.add(language);
  const rest = folded.slice(first.index + first.phrase.length);
  // "Not interested in a sales pitch, but happy to talk about X" has substance after the refusal.
  for (const each of languages) if (PHRASES[each].contrast.test(rest)) return null;
  let leftover = folded;
  for (const hit of [...hits].sort((a, b) => b.index - a.index)) leftover = `${leftover.slice(0, hit.index)} ${leftover.slice(hit.index + hit.phrase.length)}`;
  const polite = new Set([...languages].flatMap((each) => PHRASES[each].politeness));
  const remaining = wordsOf(leftover.replace(/'/g, '')).filter((word) => !polite.has(word));
  return remaining.length <= MAX_LEFTOVER_WORDS ? { hit: first } : null;
}

/** Whether a stripped answer is a plain refusal (in any supported language). */
export function isRefusal(text: string): boolean {
  const folded = fold(text);
  return findRefusal(folded, detectLanguage(folded)) !== null;
}

function scoringLanguages(language: Language | null): readonly LanguagePhrases[] {
  // A word that means "because" in one language is a noun in another ("car"): read the answer's own
  // language, and English (the script's own language is often answered in it); all when unknown.
  if (language === null) return ALL_PHRASES;
  return language === 'en' ? [PHRASES.en] : [PHRASES[language], PHRASES.en];
}

function linkHeavy(text: string): boolean {
  const urls = [...extractUrls(text), ...(text.match(/(?<![/\w.])www\.[^\s<>"')\]]+/gi) ?? [])];
  if (urls.length >= LINK_HEAVY_COUNT) return true;
  if (urls.length === 0) return false;
  const linkChars = urls.reduce((sum, url) => sum + url.length, 0);
  return linkChars / Math.max(1, text.replace(/\s+/g, '').length) >= LINK_HEAVY_SHARE;
}

function quoted(hit: PhraseHit): string {
  return `"${hit.phrase.slice(0, 40)}"`;
}

export function readAnswer(message: Message): AnswerReading {
  return readAnswerText(bodyText({ text: message.text.slice(0, MAX_FULL_TEXT_CHARS), html: message.html }));
}

/** Reads an answer given as text: a mail's body, or the message a platform's notice shows. */
export function readAnswerText(received: string): AnswerReading {
  const fullText = capped(received, MAX_FULL_TEXT_CHARS).replace(CONTROL_EXCEPT_NEWLINE, '');
  const text = capped(stripQuoted(fullText), MAX_ANSWER_CHARS);
  const folded = fold(text);
  const words = wordsOf(folded);

  const hostile = findPhrases(folded, (phrases) => phrases.hostile).sort((a, b) => a.index - b.index);
  const firstHostile = hostile[0];
  const language = detectLanguage(folded, hostile.map((hit) => hit.language));
  const refusal = findRefusal(folded, language);
  const languageOf = language ?? refusal?.hit.language ?? firstHostile?.language ?? null;

  const readIn = scoringLanguages(languageOf);
  const why = findPhrase(folded, (phrases) => phrases.why, readIn);
  const business = findPhrase(folded, (phrases) => phrases.business, readIn);
  const benefit = findPhrase(folded, (phrases) => phrases.benefit, readIn);
  const pitch = findPhrase(folded, (phrases) => phrases.salesPitch, readIn);
  const score: AnswerScore = { why: why !== null, business: business !== null, benefit: benefit !== null };

  const flags: Flag[] = [];
  if (pitch) flags.push('sales_pitch');
  if (linkHeavy(text)) flags.push('link_heavy');
  if (firstHostile) flags.push('hostile');
  if (words.length < VERY_SHORT_WORDS) flags.push('very_short');

  const base = { text, fullText, score, flags, language: languageOf };
  const plainlyHostile = firstHostile !== undefined && (words.length <= MAX_HOSTILE_WORDS || hostile.length >= 2 || firstHostile.index <= HOSTILE_EARLY_CHARS);
  if (plainlyHostile && firstHostile) return { kind: 'declined', ...base, reason: `declined: hostile (${quoted(firstHostile)}, ${firstHostile.language})` };
  if (refusal) return { kind: 'declined', ...base, reason: `declined: refusal (${quoted(refusal.hit)}, ${refusal.hit.language})` };

  if (text === '') return { kind: 'answered', ...base, reason: 'answered: nothing left after quoted text and signature were removed' };
  const said = [why && `why (${quoted(why)})`, business && `business (${quoted(business)})`, benefit && `mutual benefit (${quoted(benefit)})`].filter((part): part is string => Boolean(part));
  const missing = [!why && 'why', !business && 'business', !benefit && 'mutual benefit'].filter((part): part is string => Boolean(part));
  let reason = said.length > 0 ? `answered: says ${said.join(', ')}` : 'answered: says neither why, what business, nor what mutual benefit';
  if (said.length > 0 && missing.length > 0) reason += `; not ${missing.join(', ')}`;
  if (pitch) reason += `; sales pitch (${quoted(pitch)})`;
  if (firstHostile) reason += `; hostile words (${quoted(firstHostile)})`;
  return { kind: 'answered', ...base, reason };
}
