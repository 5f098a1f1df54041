import type { Redis } from 'ioredis';
import { buildMail, type MailAddress } from './mail.ts';
import type { Sandbox } from './sandbox.ts';
import { closeQueues, createQueues } from '../../src/queues/queues.ts';
import { until, type TestWinnow } from './winnow.ts';

/**
 * Constructed (not real samples): what an outsider floods a user with to grow Winnow's storage.
 * Shared by the flood test and `npm run bench:flood`.
 */

/** A subject of about `bytes` characters, of words (folded like a real long header). */
export function longSubject(bytes: number, serial: number): string {
  const word = `flood${serial} `;
  return `Let us connect ${word.repeat(Math.ceil(bytes / word.length))}`.slice(0, bytes);
}

/**
 * A forged LinkedIn invitation in the 2016 format, from an invented person with an invitation id of
 * its own and a subject the outsider chose. It carries no address of the person: Winnow records
 * them as waiting for an address and writes to no one.
 */
export function forgedInvitation(serial: number, to: MailAddress, subjectBytes: number): Promise<Buffer> {
  const name = `Flood Person${serial}`;
  const invitationId = `66${String(serial).padStart(8, '0')}`;
  return buildMail({
    from: { name, address: 'invitations@linkedin.com' },
    to,
    subject: longSubject(subjectBytes, serial),
    messageId: `<flood-${serial}.${invitationId}@forged.example>`,
    headers: { 'X-LinkedIn-Class': 'INVITE-SINGLE', 'X-LinkedIn-Template': 'email_m2m_invite_single_01' },
    text: [
      "I'd like to join your LinkedIn network.",
      '',
      name,
      'Managing Director at Example Ventures',
      '',
      `View profile: https://www.linkedin.com/comm/profile/view?id=AAsAAAJUVTYB${invitationId}`,
      '',
      `Accept: https://www.linkedin.com/comm/people/invite-accept?mboxid=I${invitationId}_500&invitationId=${invitationId}&fe=true`,
    ].join('\n'),
  });
}

/**
 * A personal "I'd like to connect" mail with a forged From: the sender names a third party (a
 * victim) as the one asking. Who gets a script for it is the authentication rules' to decide.
 */
export function spoofedPersonalRequest(serial: number, to: MailAddress, subjectBytes: number): Promise<Buffer> {
  return buildMail({
    // Victims at many domains, as a spoofer picking real people would have them.
    from: { name: `Victim Number${serial}`, address: `victim${serial}@victims${serial % 50}.example` },
    to,
    subject: longSubject(subjectBytes, serial),
    messageId: `<spoof-${serial}@victims${serial % 50}.example>`,
    text: "Hi Morgan,\n\nI'd like to connect. I run a small bakery and saw your talk.\n\nBest,\nVictim",
  });
}

/** The genuine request in the middle of a flood: a real person asking, from their own address. */
export function genuineRequest(from: { name: string; address: string }, to: MailAddress, messageId: string): Promise<Buffer> {
  return buildMail({
    from,
    to,
    subject: "I'd like to connect",
    messageId,
    text: `Hi Morgan,\n\nI'd like to connect. I run a small design studio in Lisbon and we met at the conference.\n\nBest,\n${from.name}`,
  });
}

export interface FloodOptions {
  /** Forged invitations, each from an invented person. */
  count: number;
  /** Spoofed personal requests naming third parties, spread through the flood (0 for none). */
  spoofed?: number;
  /** Characters of each flood mail's subject. */
  subjectBytes: number;
  /** Called after each hundred deliveries, for a benchmark's progress line. */
  progress?: (delivered: number) => void;
}

export interface FloodFigures {
  mails: number;
  bytesDelivered: number;
  usedBefore: number;
  usedAfter: number;
  /** used_memory after the queues drained, less before the flood (bytes). */
  growth: number;
  /** The genuine request's delivery to its script's acceptance by SMTP (ms), null when no script went. */
  genuineAnsweredMs: number | null;
  /** Scripts accepted by SMTP for anyone but the genuine requester (and the user's own notices). */
  thirdPartyScripts: number;
  /** From the first delivery until every job was done (ms). */
  drainMs: number;
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1]);
}

/**
 * Every flood mail read and every script that may go now gone: unlike TestWinnow.settle, scripts
 * held back (delayed) by a volume limit do not count as work left.
 */
async function drained(winnow: TestWinnow, uid: number, timeoutMs: number): Promise<void> {
  const queues = createQueues(winnow.runtime.redis, winnow.config.redis.prefix);
  try {
    await until(
      async () => {
        if (Number(await winnow.runtime.redis.hget(winnow.store.keys.cursor, 'lastUid')) < uid) return false;
        const inbound = await queues.inbound.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        const send = await queues.send.getJobCounts('waiting', 'active', 'prioritized');
        return Object.values(inbound).every((n) => n === 0) && Object.values(send).every((n) => n === 0);
      },
      timeoutMs,
      `every flood mail up to UID ${uid} to be read`,
    );
  } finally {
    await closeQueues(queues);
  }
}

/**
 * Floods a watched mailbox through the real sandbox (Dovecot APPEND, so Winnow reads it as it
 * would real mail), with one genuine request in the middle, and measures Redis's growth once every
 * job is done. Winnow should be warmed up first (one mail read), so that loading its scripts into
 * Redis is not counted as growth.
 */
export async function runFlood(sandbox: Sandbox, winnow: TestWinnow, options: FloodOptions): Promise<FloodFigures> {
  const me = winnow.user.address;
  const genuine = { name: 'Gene Uine', address: 'gene.uine@genuine.example' };
  const spoofed = options.spoofed ?? 0;
  const total = options.count + spoofed;
  const spoofEvery = spoofed > 0 ? Math.max(1, Math.floor(total / spoofed)) : 0;
  const sentBefore = sandbox.smtp.received.length;
  const usedBefore = await usedMemory(winnow.runtime.redis);
  let bytesDelivered = 0;
  let last = 0;
  let genuineAt = 0;
  let forged = 0;
  let spoofs = 0;
  const start = performance.timeOrigin + performance.now();
  for (let i = 0; i < total; i++) {
    if (i === Math.floor(total / 2)) {
      const delivered = await sandbox.deliver(me, await genuineRequest(genuine, me, '<genuine-in-the-flood@genuine.example>'));
      genuineAt = delivered.deliveredAt;
    }
    const spoof = spoofs < spoofed && spoofEvery > 0 && i % spoofEvery === 0;
    const raw = spoof ? await spoofedPersonalRequest(spoofs++, me, options.subjectBytes) : await forgedInvitation(forged++, me, options.subjectBytes);
    bytesDelivered += raw.length;
    last = (await sandbox.deliver(me, raw)).uid;
    if ((i + 1) % 100 === 0) options.progress?.(i + 1);
  }
  await drained(winnow, last, Math.max(60_000, total * 200));
  const drainMs = performance.timeOrigin + performance.now() - start;
  const answered = await sandbox.smtp.waitFor((mail) => mail.recipients.includes(genuine.address), 10_000).catch(() => null);
  const usedAfter = await usedMemory(winnow.runtime.redis);
  const thirdPartyScripts = sandbox.smtp.received.slice(sentBefore).filter((mail) => !mail.recipients.includes(genuine.address) && !mail.recipients.includes(me)).length;
  return {
    mails: total + 1,
    bytesDelivered,
    usedBefore,
    usedAfter,
    growth: usedAfter - usedBefore,
    genuineAnsweredMs: answered ? answered.acceptedAt - genuineAt : null,
    thirdPartyScripts,
    drainMs,
  };
}
