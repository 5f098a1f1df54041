import type { Redis } from 'ioredis';
import type { MailboxKeys } from '../store/keys.ts';
import { bodyNeed } from '../detect/candidate.ts';
import type { ClassifyContext } from '../detect/types.ts';
import type { Logger } from '../log.ts';
import { parseHeaders, type Message } from '../mail/message.ts';
import type { HeaderBlock } from '../mailbox/watcher.ts';

/**
 * The first look at new mail, for the watcher: from each header block, whether the body is worth
 * reading (src/detect/candidate.ts). Whose address a message comes from is asked of Redis once per
 * batch, not once per message. A header block that cannot be read is read in full: the inbound
 * worker then records why it could not be used.
 */
export function createIntake(deps: { redis: Redis; keys: Pick<MailboxKeys, 'address'>; classifyContext: ClassifyContext; logger: Logger }) {
  const { redis, keys, classifyContext, logger } = deps;
  return async function needsBody(blocks: HeaderBlock[]): Promise<boolean[]> {
    const read: Array<Message | null> = blocks.map((block) => {
      if (block.headers === null) return null;
      try {
        return parseHeaders(block.headers);
      } catch {
        return null;
      }
    });
    const senders = read.map((message) => message?.from?.address ?? '');
    const asked = senders.filter((address) => address !== '');
    const known = new Set<string>();
    if (asked.length > 0) {
      const ids = await redis.mget(asked.map((address) => keys.address(address)));
      asked.forEach((address, index) => {
        if (ids[index]) known.add(address);
      });
    }
    return read.map((message, index) => {
      if (message === null) return true;
      const need = bodyNeed(message, classifyContext, known.has(senders[index]!));
      if (!need.needed) logger.debug({ uid: blocks[index]!.uid, reason: need.reason }, 'left unread: the headers say no person wrote it');
      return need.needed;
    });
  };
}

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
