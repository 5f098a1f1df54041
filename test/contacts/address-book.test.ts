import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAddressBook, type AddressBook } from '../../src/contacts/address-book.ts';
import { parseVCards } from '../../src/contacts/import.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

describe('the address book in Redis', () => {
  let sandbox: Sandbox;
  let redis: Redis;
  let book: AddressBook;
  let prefix: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ imap: false, smtp: false });
    redis = new Redis(sandbox.redisUrl, { maxRetriesPerRequest: 2 });
  });
  afterAll(async () => {
    await redis?.quit();
    await sandbox?.stop();
  });
  beforeEach(() => {
    prefix = `t-book-${randomUUID().slice(0, 8)}`;
    book = createAddressBook(redis, prefix, 'primary');
  });

  const people = [
    { name: 'Jane Quinn Doe', addresses: ['jane@example.org'], line: 1 },
    { name: 'Zoë Ærø', addresses: ['zoe@example.dk', 'zoe.aero@work.example'], line: 2 },
    { name: 'John Smith', addresses: ['john.smith@one.example'], line: 3 },
    { name: 'john smith', addresses: ['jsmith@two.example'], line: 4 },
  ];

  it('finds a person by name however the request writes it', async () => {
    expect(await book.import(people)).toEqual({ people: 3, addresses: 5 });
    for (const name of ['Jane Quinn Doe', 'Doe, Jane Quinn', 'JANE DOE', 'Jane Doe', 'Dr. Jane Q. Doe']) {
      expect(await book.addressesFor(name), name).toEqual(['jane@example.org']);
    }
    expect(await book.addressesFor('Zoe Aero')).toEqual(['zoe.aero@work.example', 'zoe@example.dk']);
    expect(await book.addressesFor('Janet Doe')).toEqual([]);
    expect(await book.nameOf('JANE@example.org')).toBe('Jane Quinn Doe');
  });

  it('keeps every address of a name, so two people of one name are not taken for one', async () => {
    await book.import(people);
    expect(await book.addressesFor('John Smith')).toEqual(['john.smith@one.example', 'jsmith@two.example']);
  });

  it('counts people and addresses, and an import repeated changes nothing', async () => {
    await book.import(people);
    await book.import(people);
    expect(await book.count()).toEqual({ people: 3, addresses: 5 });
  });

  it('lists people page by page', async () => {
    await book.import(people);
    const seen: string[] = [];
    let cursor = '0';
    do {
      const page = await book.list(cursor, 1);
      seen.push(...page.people.map((p) => `${p.name}: ${p.addresses.join(' ')}`));
      cursor = page.cursor;
    } while (cursor !== '0');
    expect(seen.sort()).toEqual(['Jane Quinn Doe: jane@example.org', 'Zoë Ærø: zoe.aero@work.example zoe@example.dk', expect.stringMatching(/^[Jj]ohn [Ss]mith: john.smith@one.example jsmith@two.example$/)]);
  });

  it('is emptied by clear, leaving no key behind', async () => {
    await book.import(people);
    await book.clear();
    expect(await book.count()).toEqual({ people: 0, addresses: 0 });
    expect(await book.addressesFor('Jane Doe')).toEqual([]);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });

  it('stores a hostile name as the text it is', async () => {
    const { people: parsed } = parseVCards('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Eve <script>alert(1)</script> Hacker\r\nEMAIL:eve@example.org\r\nEND:VCARD\r\n');
    await book.import(parsed);
    expect(await book.nameOf('eve@example.org')).toBe('Eve <script>alert(1)</script> Hacker');
    expect(await book.addressesFor('Eve script alert 1 script Hacker')).toEqual(['eve@example.org']);
  });
});
