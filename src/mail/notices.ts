import { escapeHtml } from '../text/html.ts';
import { messageIdDomain } from './message-id.ts';
import type { OutgoingScript } from './sender.ts';

/**
 * Mail Winnow writes to the user on its own (not an answer to anyone): marked
 * `Auto-Submitted: auto-generated` (RFC 3834), so no robot answers it, and sent from and to the
 * user's own address, which Winnow never takes for a request.
 */

/**
 * The one mail of a circuit-breaker trip. Its Message-ID is fixed by the trip, so a run that
 * repeats the notice sends the same message again, which mail clients show once.
 */
export function breakerNotice(options: { user: { name: string; address: string }; trippedAt: number; limit: number; timeZone: string }): OutgoingScript {
  const { user, trippedAt, limit } = options;
  const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: options.timeZone }).format(trippedAt);
  const text = [
    `Winnow stopped sending scripts at ${when} (${options.timeZone}): more than ${limit} were due within an hour.`,
    '',
    'That is more than a network usually brings, and what a flood of forged requests looks like. Nothing is',
    'lost: every script waits, and goes out once you resume sending.',
    '',
    'Look at the people about to be sent the script on the dashboard (People, status "queued"). When they',
    'are fine, press "Resume sending" on the dashboard (or POST /api/sending/resume). To allow more, raise',
    '"Stop sending above" in the settings.',
    '',
    'This is the only mail about this pause.',
  ].join('\n');
  return {
    from: user,
    to: user.address,
    subject: `Winnow paused sending: more than ${limit} scripts in an hour`,
    text,
    html: text
      .split('\n\n')
      .map((paragraph) => `<p>${escapeHtml(paragraph.replaceAll('\n', ' '))}</p>`)
      .join('\n'),
    messageId: `winnow-notice.breaker.${trippedAt}@${messageIdDomain(user.address)}`,
    inReplyTo: null,
    references: [],
    autoSubmitted: 'auto-generated',
  };
}
