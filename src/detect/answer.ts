import type { Message } from '../mail/message.ts';
import { bodyText, straightenQuotes, stripQuoted } from './text.ts';

export { stripQuoted } from './text.ts';

/**
 * Reads a person's answer to the script: the new text only (quotes and signature cut), and
 * whether it is a plain refusal. Conservative by design: only a short reply that is mostly a
 * refusal counts as declined; anything with substance stays answered for the user to judge.
 */
export interface Answer {
  kind: 'answered' | 'declined';
  text: string;
}

/** Longest answer kept; a longer one is cut (the full mail stays in the user's mailbox). */
const MAX_ANSWER_CHARS = 20_000;
/** A reply longer than this has substance, whatever refusal words it contains. */
const MAX_REFUSAL_WORDS = 40;
/** Words a refusal may carry besides the refusal itself and politeness. */
const MAX_LEFTOVER_WORDS = 6;

const REFUSALS: RegExp[] = [
  // "Not interested in selling you anything" is not a refusal to connect; "not interested in this" is.
  /\b(?:not|no longer) interested\b(?!\s+in\b(?!\s+(?:connecting|this|that|it|any of (?:this|that)|answering|your (?:script|questions?|survey|questionnaire|offer|network)\b)))/g,
  /\bno,? thanks?\b(?!\s+(?:necessary|needed|required|to you)\b)/g,
  /\bno,? thank you\b(?!\s+(?:necessary|needed|required)\b)/g,
  /\bthanks?,? but no\b/g,
  /\b(?:please )?remove me\b/g,
  /\btake me off\b/g,
  /\b(?:do not|don'?t|never|stop) (?:contact|e-?mail|write to|writing to|message|messaging|bother|bothering|spam|spamming|contacting|e-?mailing) me\b/g,
  /\bstop (?:e-?mailing|contacting|messaging|spamming|writing)\b/g,
  /\bunsubscribe\b/g,
  /\bleave me alone\b/g,
  /\bwho (?:are you|is this|the hell are you)\b/g,
  /\b(?:never ?mind|forget it|forget about it)\b/g,
  /\b(?:i'?ll|i will) pass\b/g,
  /\bwithdraw(?:ing)? (?:my )?(?:request|invitation)\b/g,
  /\b(?:this is|what a|such) (?:spam|ridiculous|rude|absurd|a joke|a waste(?: of (?:my )?time)?|nonsense|insulting)\b/g,
  /\bhow rude\b/g,
  /\b(?:go away|get lost|piss off|f\W{0,3}ck off|screw you)\b/g,
  /\bi (?:don'?t|do not|won'?t|will not) (?:answer|reply to|respond to|fill (?:in|out)) (?:this|that|these|questions|questionnaires?|surveys?)\b/g,
  // A bare "No." (the whole reply).
  /^(?:no|nope|nah|pass)\s*[.!]*$/g,
];
const CONTRAST = /\b(?:but|however|although|though|that said|except|unless|instead|still)\b/;
const POLITENESS = new Set(
  'hi hello hey dear thanks thank you regards best cheers sorry please sir madam ok okay and i im am really just very sincerely kind warm all the your from list me my mailing email emails e-mail this that it is at to of a an for on in with again anymore any more yes so well asking anyway now'.split(' '),
);

/** Whether a stripped answer is a plain refusal: short, mostly refusal words, no "but ...". */
export function isRefusal(text: string): boolean {
  const normalised = straightenQuotes(text).toLowerCase().replace(/\s+/g, ' ').trim();
  if (normalised === '') return false;
  const words = normalised.split(' ').filter((word) => /[\p{L}\p{N}]/u.test(word));
  if (words.length > MAX_REFUSAL_WORDS) return false;
  let firstAt = Number.POSITIVE_INFINITY;
  let leftover = normalised;
  for (const pattern of REFUSALS) {
    for (const found of normalised.matchAll(pattern)) firstAt = Math.min(firstAt, found.index);
    leftover = leftover.replace(pattern, ' ');
  }
  if (firstAt === Number.POSITIVE_INFINITY) return false;
  // "Not interested in a sales pitch, but happy to talk about X" has substance after the refusal.
  if (CONTRAST.test(normalised.slice(firstAt))) return false;
  const rest = leftover
    .replace(/'/g, '')
    .split(/[^\p{L}\p{N}-]+/u)
    .filter((word) => word !== '' && !POLITENESS.has(word));
  return rest.length <= MAX_LEFTOVER_WORDS;
}

// eslint-disable-next-line no-control-regex -- keeping only newline and tab among control characters
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function readAnswer(message: Message): Answer {
  let text = stripQuoted(bodyText(message)).replace(CONTROL_EXCEPT_NEWLINE, '');
  if (text.length > MAX_ANSWER_CHARS) text = `${text.slice(0, MAX_ANSWER_CHARS).trimEnd()}…`;
  return { kind: isRefusal(text) ? 'declined' : 'answered', text };
}
