import type { Status } from '../vocabulary/contact.ts';

/**
 * The weeding-out lifecycle (design.md): which status may follow which.
 * Every change of status goes through here, so an answer that races a deadline,
 * or a second delivery of the same mail, cannot move a person backwards.
 */
const NEXT: Record<Status, readonly Status[]> = {
  detected: ['awaiting_address', 'awaiting_approval', 'skipped', 'queued'],
  // An address typed by the user is their approval too. "Sent on the platform": the user pasted
  // the script into the platform's message box; the person is asked there (channel 'platform').
  awaiting_address: ['awaiting_approval', 'queued', 'asked', 'skipped', 'handled'],
  // Approval mode: the script waits for the user's click; sending it on the platform is theirs too.
  awaiting_approval: ['queued', 'asked', 'skipped', 'handled', 'awaiting_address'],
  skipped: ['handled'],
  // An answer to an earlier script may come while the next one ("send again") waits to go out:
  // the answer counts, and the waiting script then finds the person answered and stays unsent.
  queued: ['asked', 'failed', 'skipped', 'answered', 'declined'],
  // "Send again" re-queues an asked person; the deadline starts over when it goes out.
  asked: ['answered', 'declined', 'bounced', 'no_response', 'failed', 'queued', 'handled'],
  // A late answer still counts: the person did answer, just after the deadline.
  no_response: ['answered', 'declined', 'accepted', 'rejected', 'queued', 'handled'],
  answered: ['accepted', 'rejected'],
  declined: ['accepted', 'rejected'],
  // A bounce or failure is mended by correcting the address, which queues the script again.
  bounced: ['queued', 'handled'],
  failed: ['queued', 'handled'],
  accepted: ['rejected'],
  rejected: ['accepted'],
  // The user took it from here (wrote on the platform by hand, say). They may still decide.
  handled: ['accepted', 'rejected'],
};

export function canMove(from: Status, to: Status): boolean {
  return NEXT[from].includes(to);
}

/** The statuses from which `to` may be reached. */
export function statusesBefore(to: Status): Status[] {
  return (Object.keys(NEXT) as Status[]).filter((from) => NEXT[from].includes(to));
}

/** Statuses in which an incoming mail from the person counts as their answer. */
export const AWAITING_ANSWER: readonly Status[] = ['asked', 'no_response'];
