import { describe, expect, it } from 'vitest';
import { readScriptMessageId, reminderMessageId, scriptMessageId } from '../../src/mail/message-id.ts';

const SECRET = 'a-server-secret-for-this-test';

describe('sealed script Message-IDs', () => {
  it('read back as the person, the script number and sealed', () => {
    const id = scriptMessageId('AbC-_12345678901', 2, 'example.test', SECRET);
    expect(id).toMatch(/^winnow\.AbC-_12345678901\.2\.[0-9a-f]{32}@example\.test$/);
    expect(readScriptMessageId(id, SECRET)).toEqual({ contactId: 'AbC-_12345678901', attempt: 2, reminder: false, sealed: true });
    expect(readScriptMessageId(`<${id}>`, SECRET)).toMatchObject({ sealed: true });
    const reminder = reminderMessageId('AbC-_12345678901', 1, 'example.test', SECRET);
    expect(readScriptMessageId(reminder, SECRET)).toEqual({ contactId: 'AbC-_12345678901', attempt: 1, reminder: true, sealed: true });
  });

  it('with any part changed, or made with another secret, are not ours', () => {
    const id = scriptMessageId('person0000000001', 1, 'example.test', SECRET);
    expect(readScriptMessageId(id, 'another-secret-entirely')).toBeNull();
    expect(readScriptMessageId(id.replace('person0000000001', 'person0000000002'), SECRET)).toBeNull();
    expect(readScriptMessageId(id.replace('.1.', '.2.'), SECRET)).toBeNull();
    expect(readScriptMessageId(id.replace('@example.test', '@example.org'), SECRET)).toBeNull();
    const seal = id.split('.').at(-1)!.split('@')[0]!;
    expect(readScriptMessageId(id.replace(seal, '0'.repeat(32)), SECRET)).toBeNull();
  });

  it('keep their seal when a client changes the case of the domain or the seal', () => {
    const id = scriptMessageId('person0000000001', 1, 'example.test', SECRET);
    const [local, domain] = id.split('@') as [string, string];
    const seal = local.split('.').at(-1)!;
    expect(readScriptMessageId(`${local.replace(seal, seal.toUpperCase())}@${domain.toUpperCase()}`, SECRET)).toMatchObject({ sealed: true });
  });

  it('in the format from before seals are read as unsealed: they prove nothing', () => {
    expect(readScriptMessageId('winnow.person0000000001.1@example.test', SECRET)).toEqual({ contactId: 'person0000000001', attempt: 1, reminder: false, sealed: false });
    expect(readScriptMessageId('winnow.person0000000001.3.reminder@example.test', SECRET)).toEqual({ contactId: 'person0000000001', attempt: 3, reminder: true, sealed: false });
  });

  it('that are not ours at all read as null', () => {
    for (const id of ['abc@example.test', 'winnow.@example.test', 'winnow.x.y@example.test', 'winnow.x.1.extra.more@example.test', 'winnow.x.1', 'winnow-test.x@example.test']) {
      expect(readScriptMessageId(id, SECRET)).toBeNull();
    }
  });
});
