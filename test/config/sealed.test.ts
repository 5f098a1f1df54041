import { describe, expect, it } from 'vitest';
import { createSealer, isSealed, reseal, SealedValueError, SecretKeyMissing, sealedKeyId, sealerOf } from '../../src/config/sealed.ts';

const SECRET = 'correct-horse-battery-staple-0123';
const OTHER = 'another-winnow-secret-of-32-chars';

function problemOf(action: () => unknown): { problem: string; message: string } {
  try {
    action();
  } catch (error) {
    if (error instanceof SealedValueError) return { problem: error.problem, message: error.message };
    throw error;
  }
  throw new Error('it did not throw');
}

describe('sealing a secret', () => {
  it('gives back the same text, unicode included, from one printable sealed value', () => {
    const sealer = createSealer(SECRET);
    for (const plain of ['app-password-1234', '', 'pässwörd ☃ 密码 🔑', 'x'.repeat(10_000)]) {
      const sealed = sealer.seal(plain);
      expect(sealed).toMatch(/^wsec:v1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
      expect(isSealed(sealed)).toBe(true);
      expect(sealer.open(sealed)).toBe(plain);
      // A second sealer from the same WINNOW_SECRET (another process) opens it too.
      expect(createSealer(SECRET).open(sealed)).toBe(plain);
    }
  });

  it('never holds the text or WINNOW_SECRET in clear, and seals the same text differently each time', () => {
    const sealer = createSealer(SECRET);
    const first = sealer.seal('app-password-1234');
    const second = sealer.seal('app-password-1234');
    expect(first).not.toBe(second);
    // The random 12-byte IV leads the data: no two seals share it.
    const ivs = new Set(Array.from({ length: 200 }, () => Buffer.from(sealer.seal('same').split(':')[3]!, 'base64url').subarray(0, 12).toString('hex')));
    expect(ivs.size).toBe(200);
    for (const sealed of [first, second]) {
      expect(sealed).not.toContain('app-password');
      expect(sealed).not.toContain(Buffer.from('app-password-1234').toString('base64url').slice(0, 8));
      expect(sealed).not.toContain(SECRET);
    }
    expect(sealer.keyId).not.toContain(SECRET.slice(0, 6));
  });

  it('names its key with the same short id for the same WINNOW_SECRET, another for another', () => {
    expect(createSealer(SECRET).keyId).toBe(createSealer(SECRET).keyId);
    expect(createSealer(SECRET).keyId).not.toBe(createSealer(OTHER).keyId);
    expect(createSealer(SECRET).keyId.length).toBeLessThanOrEqual(16);
    expect(sealedKeyId(createSealer(SECRET).seal('x'))).toBe(createSealer(SECRET).keyId);
  });

  it('says a value sealed under another WINNOW_SECRET is that, not damaged', () => {
    const sealed = createSealer(OTHER).seal('app-password-1234');
    const { problem, message } = problemOf(() => createSealer(SECRET).open(sealed));
    expect(problem).toBe('other-key');
    expect(message).toMatch(/sealed under another WINNOW_SECRET/);
    expect(message).toContain('winnow rotate-secret');
    expect(message).not.toContain('app-password');
  });

  it('refuses a value altered anywhere (data, key id or marker) as damaged or not sealed', () => {
    const sealer = createSealer(SECRET);
    const sealed = sealer.seal('app-password-1234');
    const [marker, version, keyId, data] = sealed.split(':') as [string, string, string, string];
    const bytes = Buffer.from(data, 'base64url');
    for (const index of [0, 11, 12, 27, 28, bytes.length - 1]) {
      const changed = Buffer.from(bytes);
      changed[index] = changed[index]! ^ 0x01;
      expect(problemOf(() => sealer.open(`${marker}:${version}:${keyId}:${changed.toString('base64url')}`)).problem, `byte ${index}`).toBe('damaged');
    }
    expect(problemOf(() => sealer.open(`${marker}:${version}:${keyId}:${bytes.subarray(0, 20).toString('base64url')}`)).problem).toBe('damaged');
    expect(problemOf(() => sealer.open(`${marker}:v2:${keyId}:${data}`)).problem).toBe('not-sealed');
    expect(problemOf(() => sealer.open('app-password-1234')).problem).toBe('not-sealed');
    expect(problemOf(() => sealer.open(`${sealed} `)).problem).toBe('not-sealed');
  });

  it('recognises sealed values by their form only', () => {
    expect(isSealed(createSealer(SECRET).seal('x'))).toBe(true);
    for (const value of ['', 'whsec_abc', 'wsec:v1:', 'wsec:v1:abc', 'wsec:v1:abc:', 'wsec:v1:a b:cd', '{"secret":"wsec:v1:abc:def"}']) expect(isSealed(value), value).toBe(false);
  });
});

describe('without WINNOW_SECRET', () => {
  it('there is no sealer, and the refusal tells the user to set WINNOW_SECRET and how', () => {
    expect(sealerOf(null)).toBeNull();
    expect(sealerOf(SECRET)?.keyId).toBe(createSealer(SECRET).keyId);
    const error = new SecretKeyMissing('An IMAP password');
    expect(error.message).toMatch(/^An IMAP password cannot be stored without WINNOW_SECRET/);
    expect(error.message).toContain('openssl rand -base64 32');
    expect(error.message).toContain('only encrypted');
  });
});

describe('re-sealing under a new key', () => {
  const current = createSealer(SECRET);
  const next = createSealer(OTHER);

  it('moves a value from the current key to the new one, leaves one already under the new key, and reports one under neither', () => {
    const moved = reseal(current.seal('pässwörd'), current, next);
    expect(moved.outcome).toBe('resealed');
    expect(moved.outcome === 'resealed' && next.open(moved.value)).toBe('pässwörd');
    expect(reseal(next.seal('x'), current, next)).toEqual({ outcome: 'current' });
    const third = reseal(createSealer('a-third-secret-nobody-has-now').seal('lost'), current, next);
    expect(third.outcome).toBe('unreadable');
    expect(third.outcome === 'unreadable' && third.problem).toMatch(/another WINNOW_SECRET/);
    expect(third.outcome === 'unreadable' && third.problem).not.toContain('lost');
  });
});
