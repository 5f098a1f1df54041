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
    expect(canMove('answered', 'queued')).toBe(false);
    expect(canMove('skipped', 'queued')).toBe(false);
    expect(canMove('accepted', 'answered')).toBe(false);
  });

  it('lets the user say they sent the script on the platform: a person waiting for an address or approval becomes asked', () => {
    expect(canMove('awaiting_address', 'asked')).toBe(true);
    expect(canMove('awaiting_approval', 'asked')).toBe(true);
    expect(canMove('skipped', 'asked')).toBe(false);
    expect(canMove('handled', 'asked')).toBe(false);
  });

  it('lets the user send the script again to someone asked or silent, and mend a bounce by a new address', () => {
    expect(canMove('asked', 'queued')).toBe(true);
    expect(canMove('no_response', 'queued')).toBe(true);
    expect(canMove('bounced', 'queued')).toBe(true);
    expect(canMove('answered', 'queued')).toBe(false);
  });

  it('holds a script for approval in approval mode, and lets the user take a request by hand', () => {
    expect(canMove('detected', 'awaiting_approval')).toBe(true);
    expect(canMove('awaiting_approval', 'queued')).toBe(true);
    expect(canMove('awaiting_address', 'handled')).toBe(true);
    expect(canMove('handled', 'accepted')).toBe(true);
    expect(canMove('handled', 'queued')).toBe(false);
  });

  it('lets a late answer count after the deadline, and an answer to an earlier script while the next waits to go out', () => {
    expect(statusesBefore('answered').sort()).toEqual(['asked', 'no_response', 'queued']);
    expect(statusesBefore('declined').sort()).toEqual(['asked', 'no_response', 'queued']);
  });
});
