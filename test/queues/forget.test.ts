import { describe, expect, it } from 'vitest';
import { namesPerson } from '../../src/queues/forget.ts';

describe('namesPerson', () => {
  const marks = { id: 'Ab3_x-Yz09QwErTy', names: ['bob@example.org', 'request.1@example.org'] };

  it('finds the id anywhere, as job ids carry it', () => {
    expect(namesPerson('primary-Ab3_x-Yz09QwErTy-2', marks)).toBe(true);
  });

  it('finds an address or Message-ID standing on its own, whatever its case', () => {
    expect(namesPerson('From: Bob <BOB@Example.org>', marks)).toBe(true);
    expect(namesPerson('"to":"bob@example.org"', marks)).toBe(true);
    expect(namesPerson('In-Reply-To: <request.1@example.org>', marks)).toBe(true);
  });

  it('does not take a longer address or Message-ID for theirs', () => {
    expect(namesPerson('From: jimbob@example.org', marks)).toBe(false);
    expect(namesPerson('To: bob@example.org.evil', marks)).toBe(false);
    expect(namesPerson('Message-ID: <xrequest.1@example.org>', marks)).toBe(false);
    expect(namesPerson('nothing here', marks)).toBe(false);
  });
});
