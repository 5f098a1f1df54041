import { describe, expect, it } from 'vitest';
import { echoableMessageId } from '../../src/mail/sender.ts';

describe('echoableMessageId', () => {
  it.each(['CAF=1+x@mail.gmail.com', 'a.b@c', "x!#$%&'*+/=?^_`{|}~-@example.org", 'x@[192.0.2.1]', `${'a'.repeat(238)}@example.org`])('echoes the valid msg-id %s', (id) => {
    expect(echoableMessageId(id)).toBe(true);
  });

  it.each([
    ['longer than 250 characters', `${'a'.repeat(239)}@example.org`],
    ['without "@"', 'no-at-sign'],
    ['with two "@"', 'a@b@c'],
    ['with a space', 'a b@c'],
    ['with angle brackets left in', '<a@b>'],
    ['with a line break', 'a@b\r\nBcc: x@y'],
    ['with an empty dot-atom part', 'a..b@c'],
    ['empty', ''],
  ])('leaves out one %s', (_what, id) => {
    expect(echoableMessageId(id)).toBe(false);
  });
});
