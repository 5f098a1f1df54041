import type { Redis } from 'ioredis';
import type { MailboxKeys } from '../store/keys.ts';
import { bodyNeed, worthAJob } from '../detect/candidate.ts';
import { classify } from '../detect/classify.ts';
import type { ClassifyContext } from '../detect/types.ts';
import type { Logger } from '../log.ts';
import { parseHeaders, parseMessage, type Message } from '../mail/message.ts';
import type { HeaderBlock, ScreenedSource } from '../mailbox/watcher.ts';

/**
 * The watcher's looks at new mail (src/mailbox/watcher.ts), before any job is queued.
 * - `needsBody`: from each header block, whether the body is worth reading (bodyNeed).
 * - `screen`: of a backlog's messages read in full, which the inbound worker would act on
 *   (worthAJob): a backlog's personal mail that asks nothing of anyone then costs one read and no
 *   job, no second fetch and no DKIM check.
 * Whose address a message comes from is asked of Redis once per batch, not once per message. A
 * message that cannot be read gets its job: the inbound worker then records why.
 */
export function createIntake(deps: { redis: Redis; keys: Pick<MailboxKeys, 'address'>; classifyContext: ClassifyContext; logger: Logger }) {
  const { redis, keys, classifyContext, logger } = deps;

  /** Which of these senders a person here has. */
  async function knownSenders(messages: Array<Message | null>): Promise<Set<string>> {
    const asked = [...new Set(messages.map((message) => message?.from?.address ?? '').filter((address) => address !== ''))];
    const known = new Set<string>();
    if (asked.length === 0) return known;
    const ids = await redis.mget(asked.map((address) => keys.address(address)));
    asked.forEach((address, index) => {
      if (ids[index]) known.add(address);
    });
    return known;
  }

  return {
    async needsBody(blocks: HeaderBlock[]): Promise<boolean[]> {
      const read: Array<Message | null> = blocks.map((block) => {
        if (block.headers === null) return null;
        try {
          return parseHeaders(block.headers);
        } catch {
          return null;
        }
      });
      const known = await knownSenders(read);
      return read.map((message, index) => {
        if (message === null) return true;
        const need = bodyNeed(message, classifyContext, known.has(message.from?.address ?? ''));
        if (!need.needed) logger.debug({ uid: blocks[index]!.uid, reason: need.reason }, 'left unread: the headers say no person wrote it');
        return need.needed;
      });
    },

    async screen(sources: ScreenedSource[]): Promise<boolean[]> {
      const read = await Promise.all(sources.map((source) => parseMessage(source.raw).catch(() => null)));
      const known = await knownSenders(read);
      // As the inbound worker classifies: unverified mail accepted, the setting applied there. Made
      // afresh each time: the mailbox supervisor changes the own addresses in place.
      const context = { ...classifyContext, unverifiedMail: 'accept' as const };
      return read.map((message, index) => {
        if (message === null) return true;
        const classification = classify(message, context);
        const worth = worthAJob(classification, known.has(message.from?.address ?? ''));
        if (!worth) logger.debug({ uid: sources[index]!.uid, reason: classification.reason }, 'read, and left alone: nothing for the worker to do');
        return worth;
      });
    },
  };
}

export type Intake = ReturnType<typeof createIntake>;

/**
 * Lets mail sources into the inbound worker while their bytes fit in `limit`: a source larger than
 * the whole budget goes alone. Bytes are taken before the source is read (fetched over IMAP or
 * decoded from an older job), so what is being fetched counts too; each `take` must be followed by
 * calling the release it returns.
 */
export function createSourceBudget(limit: number) {
  let inHand = 0;
  const waiting: Array<{ bytes: number; go: () => void }> = [];
  function admit() {
    while (waiting.length > 0 && (inHand === 0 || inHand + waiting[0]!.bytes <= limit)) {
      const next = waiting.shift()!;
      inHand += next.bytes;
      next.go();
    }
  }
  return {
    async take(bytes: number): Promise<() => void> {
      await new Promise<void>((go) => {
        waiting.push({ bytes, go });
        admit();
      });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inHand -= bytes;
        admit();
      };
    },
    /** Bytes let in now (for tests and figures). */
    inHand: () => inHand,
  };
}
