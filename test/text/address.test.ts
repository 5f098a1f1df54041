import { describe, expect, it } from 'vitest';
import { isDomainName, isMailboxAddress, parseMailbox, typedAddress } from '../../src/text/address.ts';

describe('the address validator', () => {
  it('accepts the addresses people have', () => {
    for (const address of ['jane@example.org', 'Jane.Doe+linkedin@Mail.Example.CO.UK', "o'brien@example.ie", 'x_y-z@sub.example.xn--p1ai']) {
      expect(isMailboxAddress(address), address).toBe(true);
    }
  });

  it('refuses what could not be written to, or would break a header', () => {
    for (const address of ['', 'jane', '@example.org', 'jane@', 'jane@example', 'jane@@example.org', 'a@b@example.org', 'jane doe@example.org', 'jane@exa mple.org', '.jane@example.org', 'jane.@example.org', 'ja..ne@example.org', 'jane@-example.org', 'jane@example.123', 'jane@example.org\r\nBcc: x@evil.example', '<jane@example.org>', 'jane,bob@example.org', `${'a'.repeat(65)}@example.org`]) {
      expect(isMailboxAddress(address), JSON.stringify(address)).toBe(false);
    }
  });

  it('accepts a one-label domain only when asked to (the user\'s own address on a private server)', () => {
    expect(isMailboxAddress('ada@localhost')).toBe(false);
    expect(isMailboxAddress('ada@localhost', { singleLabelDomain: true })).toBe(true);
    expect(isDomainName('example.org')).toBe(true);
    expect(isDomainName('example')).toBe(false);
  });

  it('takes a typed address trimmed, its domain lower-cased, and refuses anything that is not one plain address', () => {
    expect(typedAddress('  Jane.Doe+x@Example.ORG ')).toBe('Jane.Doe+x@example.org');
    for (const bad of ['', 'jane', 'jane@', '@example.org', 'jane@localhost', 'a@b@example.org', 'Jane <jane@example.org>', 'jane@example.org, bob@example.org', 'jane@example.org\r\nBcc: x@y.org', 'jane doe@example.org', 'jane..doe@example.org', 'jane@-example.org']) {
      expect(typedAddress(bad), bad).toBeNull();
    }
  });

  it('reads one mailbox from an address field: a bare address, a display name, a quoted name with a comma', () => {
    expect(parseMailbox('jane@Example.ORG')).toEqual({ name: '', address: 'jane@example.org' });
    expect(parseMailbox('  Ada Lovelace <Ada@Example.com> ')).toEqual({ name: 'Ada Lovelace', address: 'Ada@example.com' });
    expect(parseMailbox('"Doe, Jane" <jane@example.org>')).toEqual({ name: 'Doe, Jane', address: 'jane@example.org' });
  });

  it('refuses a field that names no mailbox, several, a group, or words before a bare address', () => {
    for (const field of ['not an address', 'a@example.org, b@example.org', 'team: a@example.org;', 'jane doe@example.org', 'Ada <ada@example.com>\nBcc: x@evil.example', 'Ada <not-an-address>']) {
      expect(parseMailbox(field), JSON.stringify(field)).toBeNull();
    }
  });
});
