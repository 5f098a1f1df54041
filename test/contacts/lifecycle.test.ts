import { describe, expect, it } from 'vitest';
import { canMove, statusesBefore } from '../../src/contacts/lifecycle.ts';

describe('the weeding-out lifecycle', () => {
  it('follows the design: queued people are asked, asked people answer, decline, bounce or fall silent', () => {
    expect(canMove('queued', 'asked')).toBe(true);
    for (const next of ['answered', 'declined', 'bounced', 'no_response', 'failed'] as const) expect(canMove('asked', next)).toBe(true);
    expect(canMove('answered', 'accepted')).toBe(true);
    expect(canMove('no_response', 'rejected')).toBe(true);
  });

  it('never moves a person backwards', () => {
    expect(canMove('answered', 'asked')).toBe(false);
    expect(canMove('no_response', 'asked')).toBe(false);
    expect(canMove('asked', 'queued')).toBe(false);
    expect(canMove('skipped', 'queued')).toBe(false);
  });

  it('lets a late answer count after the deadline', () => {
    expect(statusesBefore('answered').sort()).toEqual(['asked', 'no_response']);
  });
});
