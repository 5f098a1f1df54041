import type { SendingPause } from '../../contacts/store.ts';
import { MEMORY_ALARM_SHARE, megabytes, type RedisMemory } from '../../redis.ts';
import { html, type Html } from '../html.ts';
import { formatTime } from './format.ts';

/**
 * Alarms that stand above a page's own content until the user acts: each a small function of its
 * own state, so a page shows them with one line.
 */

/** The circuit breaker holds every script: on every page, with the button that resumes sending. */
export function sendingPausedBanner(pause: SendingPause | null | undefined, csrf: Html): Html | null {
  if (!pause) return null;
  const told =
    pause.notifiedAt !== null
      ? html`You were mailed about it at ${formatTime(pause.notifiedAt)}.`
      : pause.notifyError
        ? html`The mail telling you could not be sent: ${pause.notifyError}.`
        : null;
  return html`<section class="alarm" role="alert" aria-labelledby="sending-paused-heading" id="sending-paused">
  <h2 id="sending-paused-heading">Sending is paused</h2>
  <p>More than ${String(pause.limit)} scripts were due within an hour (at ${formatTime(pause.trippedAt)}), which looks like a flood rather than your network, so the circuit breaker stopped sending. Nothing is lost: the scripts wait. ${told}</p>
  <p>Check the <a href="/people?status=queued">people about to be sent the script</a>; when they are fine, resume. To allow more, raise "Stop sending above" under <a href="/settings">Settings</a>.</p>
  <form method="post" action="/sending/resume">
    ${csrf}
    <button type="submit">Resume sending</button>
  </form>
</section>`;
}

/** Redis near its maxmemory (noeviction: at 100 % every write is refused and Winnow stops). */
export function memoryAlarm(memory: RedisMemory | null | undefined): Html | null {
  if (!memory || memory.max === null || memory.used / memory.max <= MEMORY_ALARM_SHARE) return null;
  const share = Math.round((memory.used / memory.max) * 100);
  return html`<section class="alarm" role="alert" aria-labelledby="memory-alarm-heading" id="memory-alarm">
  <h2 id="memory-alarm-heading">Redis is ${String(share)} % full</h2>
  <p>Redis holds ${megabytes(memory.used)} of its ${megabytes(memory.max)} maxmemory. At 100 % it refuses every write: no mail is read and no script goes out. Raise <code>maxmemory</code>, or shorten "Forget unanswered requests after" under <a href="/settings">Settings</a>.</p>
</section>`;
}
