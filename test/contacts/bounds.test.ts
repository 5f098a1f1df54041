import { describe, expect, it } from 'vitest';
import { boundedField, FIELD_LIMITS, MAX_MESSAGE_ID, messageDedupeKey } from '../../src/contacts/store.ts';

/** What the store keeps of text the sender chose (the one place fields are bounded). */
describe('boundedField', () => {
  it('keeps text within its limit as it is, and cuts longer text with an ellipsis', () => {
    expect(boundedField('subject', "I'd like to connect")).toBe("I'd like to connect");
    const cut = boundedField('subject', 'x'.repeat(100_000))!;
    expect(cut).toHaveLength(FIELD_LIMITS.subject!);
    expect(cut.endsWith('…')).toBe(true);
    expect(boundedField('name', 'N'.repeat(5_000))).toHaveLength(FIELD_LIMITS.name!);
    // A field with no limit of its own takes the default.
    expect(boundedField('somethingNew', 'y'.repeat(10_000))!.length).toBeLessThanOrEqual(2_000);
  });

  it('keeps a Message-ID whole or not at all: a cut one would name another mail', () => {
    const id = `${'a'.repeat(MAX_MESSAGE_ID - 12)}@example.org`;
    expect(boundedField('requestMessageId', id)).toBe(id);
    expect(boundedField('requestMessageId', `${'a'.repeat(MAX_MESSAGE_ID)}@example.org`)).toBeNull();
    expect(boundedField('messageId', `${'b'.repeat(1_500)}@example.org`)).toBeNull();
  });

  it('hashes a long message identity into a short dedupe key, the same every time', () => {
    expect(messageDedupeKey('abc@example.org')).toBe('message:abc@example.org');
    const long = `1764762634123:${'Let us connect '.repeat(7_000)}`;
    expect(messageDedupeKey(long)).toBe(messageDedupeKey(long));
    expect(messageDedupeKey(long).length).toBeLessThan(60);
    expect(messageDedupeKey(long)).not.toBe(messageDedupeKey(`${long}!`));
  });
});
