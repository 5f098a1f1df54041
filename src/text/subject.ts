/**
 * The words mail clients put before the subject of a reply or a forward, in the supported
 * languages as Outlook, Gmail and Apple Mail write them: Re/Fw/Fwd; AW/WG (German); TR (French);
 * RV (Spanish); RES/ENC (Portuguese); R/RIF/I (Italian); Antw/Doorst (Dutch); SV/VS/VB (Nordic).
 */
export const REPLY_PREFIXES: readonly string[] = ['re', 'fw', 'fwd', 'aw', 'wg', 'sv', 'vs', 'vb', 'antw', 'doorst', 'tr', 'rv', 'res', 'enc', 'rif', 'r', 'i'];

/** One prefix with its optional count ("Re:", "AW[2]:", "Re (3):"), case ignored. */
const PREFIX = String.raw`(?:${REPLY_PREFIXES.join('|')})\s*(?:\[\d+\]|\(\d+\))?\s*:`;
const REPLY_OR_FORWARD_SUBJECT = new RegExp(String.raw`^\s*(?:\[[^\]]{0,80}\]\s*)?${PREFIX}`, 'i');
const LEADING_PREFIXES = new RegExp(String.raw`^(?:\s*${PREFIX}\s*)+`, 'i');

/** True when a subject marks a reply or a forward ("Re:", "Fwd:", "AW:", "RV:", "[list] Re:"). */
export function isReplyOrForwardSubject(subject: string): boolean {
  return REPLY_OR_FORWARD_SUBJECT.test(subject);
}

/** "Re: AW: Fwd: Invitation" → "Invitation". */
export function withoutReplyPrefixes(subject: string): string {
  return subject.replace(LEADING_PREFIXES, '');
}
