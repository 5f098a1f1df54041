import { describe, expect, it } from 'vitest';
import { mailboxIdentity } from '../../src/detect/address.ts';
import { addressDedupeKey } from '../../src/contacts/store.ts';

/** One mailbox, however its address is written: what dedupe and the caps count by. */
describe('mailboxIdentity', () => {
  it('reads case, a +tag and Gmail dots as the one mailbox they deliver to', () => {
    expect(mailboxIdentity('Jane.Doe@Example.ORG')).toBe('jane.doe@example.org');
    expect(mailboxIdentity('jane+linkedin@example.org')).toBe('jane@example.org');
    expect(mailboxIdentity('jane+a+b@example.org')).toBe('jane@example.org');
    expect(mailboxIdentity('J.a.N.e+victim1@gmail.com')).toBe('jane@gmail.com');
    expect(mailboxIdentity('jane.doe@googlemail.com')).toBe('janedoe@gmail.com');
    expect(mailboxIdentity('jane@example.org.')).toBe('jane@example.org');
  });

  it('keeps dots where they matter and a name that is only a tag', () => {
    // Outside Gmail, dots may name different mailboxes.
    expect(mailboxIdentity('jane.doe@example.org')).not.toBe(mailboxIdentity('janedoe@example.org'));
    expect(mailboxIdentity('+tag@example.org')).toBe('+tag@example.org');
    expect(mailboxIdentity('jane@mail.gmail.com')).toBe('jane@mail.gmail.com');
  });

  it('gives every spelling of one mailbox the same dedupe key', () => {
    const keys = ['pat@gmail.com', 'P.A.T@gmail.com', 'pat+1@googlemail.com', 'PAT+two@Gmail.com'].map(addressDedupeKey);
    expect(new Set(keys)).toEqual(new Set(['address:pat@gmail.com']));
    expect(addressDedupeKey('pat@example.org')).not.toBe(addressDedupeKey('pat2@example.org'));
  });
});
