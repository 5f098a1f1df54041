import { jobId, type Queues } from './queues.ts';

/**
 * A person's deadline: when it falls, when its single reminder is due, how an out-of-office moves
 * it, and the one delayed job per person that wakes for them (processed by src/workers/deadline.ts).
 * The job trusts the person, not itself: whenever it wakes it reads them and waits again as long
 * as they say, so scheduling here only has to make it wake no later than it should.
 */

/** What the deadline's times are read from: the person's (src/vocabulary/contact.ts) and the reminder setting (src/settings/settings.ts). */
interface AskedPerson {
  askedAt: number | null;
  deadlineAt: number | null;
  pausedUntil: number | null;
}
interface ReminderSetting {
  /** How long after the script the reminder goes; null for none. */
  reminderAfterMs: number | null;
}

/** When the single reminder is due for this person, or null when there is none to send (or it would come after the deadline). */
export function reminderDueAt(contact: Pick<AskedPerson, 'askedAt' | 'deadlineAt'>, settings: ReminderSetting): number | null {
  if (settings.reminderAfterMs === null || contact.askedAt === null || contact.deadlineAt === null) return null;
  const at = contact.askedAt + settings.reminderAfterMs;
  return at < contact.deadlineAt ? at : null;
}

/**
 * When an asked person's deadline job should next wake: when they are back from an absence, else
 * at their reminder, else at their deadline. Null for a person with no deadline.
 */
export function deadlineWakeAt(contact: AskedPerson, settings: ReminderSetting, now: number): number | null {
  if (contact.deadlineAt === null) return null;
  if (contact.pausedUntil !== null && contact.pausedUntil > now) return contact.pausedUntil;
  return reminderDueAt(contact, settings) ?? contact.deadlineAt;
}

/**
 * An out-of-office until `returnsAt` pauses the deadline: the time the person had left starts again
 * when they are back. While already paused, the time left is what remains after the earlier return.
 */
export function pausedDeadline(contact: Pick<AskedPerson, 'deadlineAt' | 'pausedUntil'>, returnsAt: number, now: number): { pausedUntil: number; deadlineAt: number } | null {
  if (returnsAt <= now || contact.deadlineAt === null) return null;
  const remaining = Math.max(0, contact.deadlineAt - Math.max(now, contact.pausedUntil ?? now));
  return { pausedUntil: returnsAt, deadlineAt: returnsAt + remaining };
}

/** The person a deadline job is for. */
interface PersonRef {
  mailbox: string;
  id: string;
}

/**
 * Makes sure the person's deadline job fires at `at` (its reminder time or deadline). There is one
 * deadline job per person: a delayed one is moved, a finished one (from an earlier script)
 * replaced; a waiting or running one is left alone, since it reads the person and waits again.
 */
export async function scheduleDeadline(queues: Pick<Queues, 'deadline'>, person: PersonRef, at: number, now: number): Promise<void> {
  const id = jobId.deadline(person.mailbox, person.id);
  const delay = Math.max(0, at - now);
  const existing = await queues.deadline.getJob(id);
  if (existing) {
    const state = await existing.getState();
    if (state === 'delayed') {
      try {
        await existing.changeDelay(delay);
      } catch (error) {
        // It became due meanwhile: then it runs, reads the person and waits as long as it must.
        if ((await existing.getState()) === 'delayed') throw error;
      }
      return;
    }
    if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
    await existing.remove();
  }
  await queues.deadline.add('deadline', { mailbox: person.mailbox, contactId: person.id }, { jobId: id, delay });
}

/** The person no longer waits on a deadline (they answered, bounced, are sent a new script, were handled). */
export async function cancelDeadline(queues: Pick<Queues, 'deadline'>, person: PersonRef): Promise<void> {
  await queues.deadline.remove(jobId.deadline(person.mailbox, person.id));
}

/** Whether the person's deadline job exists and has yet to run (waiting, delayed or running). */
export async function hasLiveDeadline(queues: Pick<Queues, 'deadline'>, person: PersonRef): Promise<boolean> {
  const job = await queues.deadline.getJob(jobId.deadline(person.mailbox, person.id));
  if (!job) return false;
  const state = await job.getState();
  return state !== 'completed' && state !== 'failed' && state !== 'unknown';
}
