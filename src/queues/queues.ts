import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Status } from '../vocabulary/contact.ts';

/**
 * The one map from queue name to job payload, read by producers and processors alike,
 * so the two cannot drift apart.
 */
/** What became of one inbound message: the worker's answer, kept with the finished job. */
export type InboundOutcome =
  | { kind: 'request'; contactId: string; created: boolean }
  /** Mail in a person's name that may not change their record: noted on their timeline. */
  | { kind: 'not_taken'; contactId: string; reason: string }
  | { kind: 'answer'; contactId: string; status: Status }
  | { kind: 'auto_reply' | 'bounce'; contactId: string | null }
  | { kind: 'ignored'; reason: string }
  | { kind: 'unreadable'; reason: string };

export interface QueuePayloads {
  /**
   * One new message in a watched mailbox, named by its folder's UIDVALIDITY and its UID: the worker
   * reads the source over IMAP itself (src/mail/fetcher.ts), so a backlog's mail does not pass
   * through Redis. Live mail, read whole by the watcher already, carries its source when small.
   */
  inbound: {
    mailbox: string;
    uidValidity: string;
    uid: number;
    /** The message's size as the server gave it, in bytes (0 when not known). */
    size?: number;
    /**
     * Raw message, base64, cut at MAX_SOURCE_BYTES: small live mail, and every job queued before
     * jobs named their message. '' once read (src/workers/index.ts). Absent: read by UID.
     */
    source?: string;
    truncated?: boolean;
    /** When the server told the watcher of the message (ms since epoch), for latency figures. */
    seenAt: number;
  };
  /** One script to send to one person. */
  send: { mailbox: string; contactId: string };
  /** One person's answer deadline. */
  deadline: { mailbox: string; contactId: string };
  /** The copy of one sent script, for the user's Sent folder; base64 of the message as sent. */
  'sent-copy': { mailbox: string; contactId: string; source: string };
}

export type QueueName = keyof QueuePayloads;

/** Where BullMQ keeps the queues' keys (its own layout) below Winnow's prefix; every other key is in src/store/keys.ts. */
export function queuePrefix(prefix: string): string {
  return `${prefix}:q`;
}
export const QUEUE_NAMES: readonly QueueName[] = ['inbound', 'send', 'deadline', 'sent-copy'];

export type Queues = { [Name in QueueName]: Queue<QueuePayloads[Name], unknown, Name> };

/** Job ids are deterministic so that a replayed producer step cannot create a second job. */
export const jobId = {
  inbound: (mailbox: string, uidValidity: string, uid: number) => `${mailbox}-${uidValidity}-${uid}`,
  /** One job per script: the first is attempt 1, a "send again" the next. */
  send: (mailbox: string, contactId: string, attempt = 1) => (attempt === 1 ? `${mailbox}-${contactId}` : `${mailbox}-${contactId}-${attempt}`),
  deadline: (mailbox: string, contactId: string) => `${mailbox}-${contactId}`,
  'sent-copy': (mailbox: string, messageId: string) => `${mailbox}-${messageId}`,
};

/** Retries with backoff for transient failures; completed jobs are kept a while for inspection. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 10_000 },
};

/**
 * Inbound jobs may carry whole messages, so finished ones go soon: their ids only need to outlive the
 * moment between enqueue and the cursor's move (a replayed batch then adds nothing twice). What a
 * message led to is kept on the person's timeline, not in the job.
 */
const JOB_OPTIONS: Record<QueueName, JobsOptions> = {
  inbound: { ...DEFAULT_JOB_OPTIONS, removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 30 * 24 * 3600, count: 1000 } },
  send: DEFAULT_JOB_OPTIONS,
  deadline: DEFAULT_JOB_OPTIONS,
  'sent-copy': { ...DEFAULT_JOB_OPTIONS, removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 7 * 24 * 3600, count: 1000 } },
};

export function createQueues(connection: ConnectionOptions, prefix: string): Queues {
  const make = <Name extends QueueName>(name: Name) =>
    new Queue<QueuePayloads[Name], unknown, Name>(name, { connection, prefix: queuePrefix(prefix), defaultJobOptions: JOB_OPTIONS[name] });
  return { inbound: make('inbound'), send: make('send'), deadline: make('deadline'), 'sent-copy': make('sent-copy') };
}

/**
 * Scripts held back by the send window or the daily cap look again now, not at their wake time:
 * call after the user changes those settings. Safe for every delayed send, since each re-checks
 * its person and ledger and waits again if it must.
 */
export async function wakeWaitingScripts(queues: Pick<Queues, 'send'>): Promise<void> {
  await queues.send.promoteJobs();
}

/**
 * The one way to queue a person's next script: makes sure its send job exists. A finished job with
 * that id (one that failed for good, or found the person not queued) would make a plain add a
 * no-op, so it goes. Returns whether a job was added.
 */
export async function ensureScriptJob(queues: Pick<Queues, 'send'>, person: { id: string; mailbox: string; attempts: number }): Promise<boolean> {
  const id = jobId.send(person.mailbox, person.id, person.attempts + 1);
  const existing = await queues.send.getJob(id);
  if (existing) {
    const state = await existing.getState();
    if (state !== 'completed' && state !== 'failed') return false;
    await existing.remove();
  }
  await queues.send.add('send', { mailbox: person.mailbox, contactId: person.id }, { jobId: id });
  return true;
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((queue) => queue.close()));
}
