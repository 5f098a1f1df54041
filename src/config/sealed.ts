import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets at rest: every password, token or signing secret Winnow keeps in Redis is stored sealed,
 * as AES-256-GCM ciphertext under a key derived from WINNOW_SECRET, which is kept outside Redis. A
 * copy of Redis alone then holds no secret in clear.
 *
 * A sealed value is one printable string, `wsec:v1:<key id>:<base64url of iv, tag, ciphertext>`,
 * recognisable wherever it is stored (a string key, a hash field), so `winnow rotate-secret` finds
 * every one without knowing what each key holds. The key id is a keyed fingerprint of the derived
 * key (it tells nothing of WINNOW_SECRET): `open` can then say "sealed under another WINNOW_SECRET"
 * instead of "damaged". The marker and key id are authenticated with the ciphertext, so neither
 * can be changed without `open` noticing.
 */

const MARKER = 'wsec:v1';
const SEALED = /^wsec:v1:([A-Za-z0-9_-]{1,64}):([A-Za-z0-9_-]+)$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Fixed HKDF inputs: they name Winnow and the purpose, so the key serves nothing else made from the same secret. */
const HKDF_SALT = 'winnow/sealed-secrets/v1';
const HKDF_INFO = 'winnow: secrets at rest, AES-256-GCM';
const KEY_ID_LABEL = 'winnow: sealed-secrets key id';

export interface Sealer {
  /** A short keyed fingerprint of the key: the same WINNOW_SECRET always gives the same id. */
  readonly keyId: string;
  /** `plain` sealed with a fresh random IV: sealing the same text twice gives two different values. */
  seal(plain: string): string;
  /** The text inside a sealed value; throws SealedValueError when it is not sealed, sealed under another key, or altered. */
  open(sealed: string): string;
}

/** not-sealed: no wsec:v1 marker; other-key: sealed under another WINNOW_SECRET; damaged: does not authenticate. */
export type SealedProblem = 'not-sealed' | 'other-key' | 'damaged';

export class SealedValueError extends Error {
  readonly problem: SealedProblem;
  /** The key id the value names, when it names one. */
  readonly sealedKeyId: string | null;

  constructor(problem: SealedProblem, message: string, sealedKeyId: string | null = null) {
    super(message);
    this.name = 'SealedValueError';
    this.problem = problem;
    this.sealedKeyId = sealedKeyId;
  }
}

/** A secret is to be stored and WINNOW_SECRET, the key that seals it, is not set. */
export class SecretKeyMissing extends Error {
  constructor(what: string) {
    super(secretKeyMissingAdvice(what));
    this.name = 'SecretKeyMissing';
  }
}

/** Why Winnow refuses to store `what` without WINNOW_SECRET, and how to set it. */
export function secretKeyMissingAdvice(what: string): string {
  return (
    `${what} cannot be stored without WINNOW_SECRET: Winnow keeps secrets in Redis only encrypted, under a key from WINNOW_SECRET that stays outside Redis, ` +
    'so that a copy of Redis holds none in clear. Set WINNOW_SECRET in .env to 16 characters or more (e.g. the output of: openssl rand -base64 32) and restart Winnow'
  );
}

/** Whether `value` has the form of a sealed value (it may still be sealed under another key, or damaged). */
export function isSealed(value: string): boolean {
  return SEALED.test(value);
}

/** The key id a sealed value names, or null when it is not one. */
export function sealedKeyId(value: string): string | null {
  return SEALED.exec(value)?.[1] ?? null;
}

export function createSealer(secret: string): Sealer {
  if (secret === '') throw new SecretKeyMissing('A sealed value');
  const key = Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, HKDF_INFO, 32));
  const keyId = createHmac('sha256', key).update(KEY_ID_LABEL).digest('base64url').slice(0, 12);
  const header = `${MARKER}:${keyId}`;

  return {
    keyId,

    seal(plain: string): string {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(header, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${header}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
    },

    open(sealed: string): string {
      const parts = SEALED.exec(sealed);
      if (!parts) throw new SealedValueError('not-sealed', `the value is not a sealed secret (it does not have the form ${MARKER}:<key id>:<data>)`);
      const [, id, data] = parts as unknown as [string, string, string];
      if (id !== keyId) {
        throw new SealedValueError(
          'other-key',
          `the value was sealed under another WINNOW_SECRET (key ${id}; the current one is key ${keyId}): start with the WINNOW_SECRET it was sealed under, or move it to this one with winnow rotate-secret`,
          id,
        );
      }
      const bytes = Buffer.from(data, 'base64url');
      const damaged = () => new SealedValueError('damaged', `the sealed value (key ${id}) is damaged or was altered: it does not authenticate under this WINNOW_SECRET`, id);
      if (bytes.length < IV_BYTES + TAG_BYTES) throw damaged();
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(header, 'utf8'));
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw damaged();
      }
    },
  };
}

/** The one Sealer of a process: from WINNOW_SECRET, or null when it is not set (nothing can be sealed then). */
export function sealerOf(secret: string | null): Sealer | null {
  return secret ? createSealer(secret) : null;
}

/** What re-sealing one value from one key to another comes to (winnow rotate-secret). */
export type Resealing = { outcome: 'current' } | { outcome: 'resealed'; value: string } | { outcome: 'unreadable'; problem: string };

/**
 * A sealed value moved from the key of `from` to the key of `to`: already under `to` (a second run
 * of the rotation), re-sealed, or unreadable under both (with the reason, never the value).
 */
export function reseal(value: string, from: Sealer, to: Sealer): Resealing {
  try {
    if (sealedKeyId(value) === to.keyId) {
      to.open(value);
      return { outcome: 'current' };
    }
    return { outcome: 'resealed', value: to.seal(from.open(value)) };
  } catch (error) {
    return { outcome: 'unreadable', problem: error instanceof Error ? error.message : String(error) };
  }
}
