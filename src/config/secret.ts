import { createHmac, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createSealer, SealedValueError } from './sealed.ts';

/** Where the server secret is kept in Redis (src/store/keys.ts names them). */
export interface ServerSecretKeys {
  /** The generated secret, in clear, used while WINNOW_SECRET is not set. */
  secret: string;
  /** The secret sealed under WINNOW_SECRET, used while it is set. */
  sealedSecret: string;
}

/**
 * The server secret: the key of everything Winnow must make unguessable from the outside — the
 * seals of script Message-IDs (src/mail/message-id.ts) and the markers an erasure keeps
 * (src/contacts/store.ts). Every process sharing the Redis (web and workers, on any machine) must
 * use the same one, so it lives in Redis; SET NX makes the first process to start the one whose
 * secret stays, and the others read it.
 *
 * With WINNOW_SECRET set, the secret is kept sealed under it (src/config/sealed.ts), and the
 * first start stores WINNOW_SECRET's own value, which is what earlier versions used: nothing
 * changes for a deployment that had it set. Since the seal key is then a value in Redis rather than
 * WINNOW_SECRET itself, `winnow rotate-secret` can give WINNOW_SECRET a new value without voiding a
 * single outstanding Message-ID or erasure marker. Without WINNOW_SECRET, one is generated at the
 * first start and kept in clear: that guards against anyone who sees a key name, a Message-ID or a
 * log line, not against someone with a copy of Redis itself, which is what WINNOW_SECRET adds.
 */
export async function serverSecret(redis: Redis, keys: ServerSecretKeys, configured: string | null): Promise<string> {
  if (configured) {
    const sealer = createSealer(configured);
    await redis.set(keys.sealedSecret, sealer.seal(configured), 'NX');
    const stored = await redis.get(keys.sealedSecret);
    if (!stored) throw new Error(`the server secret could not be kept in Redis (${keys.sealedSecret} is empty after it was set)`);
    try {
      return sealer.open(stored);
    } catch (error) {
      if (!(error instanceof SealedValueError)) throw error;
      const why =
        error.problem === 'other-key'
          ? 'WINNOW_SECRET was changed without winnow rotate-secret. Set WINNOW_SECRET back to the value it had, then change it with: WINNOW_SECRET=<that value> WINNOW_NEW_SECRET=<the new one> winnow rotate-secret'
          : 'restore it from a backup of Redis, or delete it to start with WINNOW_SECRET as the key (script Message-IDs sent before then are no longer recognised, nor the markers of erased people)';
      throw new Error(`the server secret kept in Redis (${keys.sealedSecret}) cannot be opened: ${error.message}. ${why}`, { cause: error });
    }
  }
  await redis.set(keys.secret, randomBytes(32).toString('base64url'), 'NX');
  const stored = await redis.get(keys.secret);
  if (!stored) throw new Error(`the server secret could not be kept in Redis (${keys.secret} is empty after it was set)`);
  return stored;
}

/** A keyed hash of `value` for one `purpose`, URL-safe: the same input gives the same output only under the same secret. */
export function keyedHash(secret: string, purpose: string, value: string): string {
  return createHmac('sha256', secret).update(`${purpose}\u0000${value}`, 'utf8').digest('base64url');
}
