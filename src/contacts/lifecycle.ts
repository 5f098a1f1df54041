import type { Status } from './types.ts';

/**
 * The weeding-out lifecycle (design.md): which status may follow which.
 * Every change of status goes through here, so an answer that races a deadline,
 * or a second delivery of the same mail, cannot move a person backwards.
 */
const NEXT: Record<Status, readonly Status[]> = {
  detected: ['awaiting_address', 'skipped', 'queued'],
  awaiting_address: ['queued', 'skipped'],
  skipped: [],
  queued: ['asked', 'failed', 'skipped'],
  asked: ['answered', 'declined', 'bounced', 'no_response', 'failed'],
  // A late answer still counts: the person did answer, just after the deadline.
  no_response: ['answered', 'declined', 'accepted', 'rejected'],
  answered: ['accepted', 'rejected'],
  declined: ['accepted', 'rejected'],
  bounced: [],
  failed: ['queued'],
  accepted: ['rejected'],
  rejected: ['accepted'],
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
