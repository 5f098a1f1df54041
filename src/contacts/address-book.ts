import type { Redis } from 'ioredis';
import { mailboxKeys } from '../store/keys.ts';
import type { ImportedPerson } from './import.ts';
import { nameKeys } from '../text/names.ts';

/**
 * The user's own address book, imported from CSV or vCard, kept in Redis: name → addresses (to
 * find the address of a requester whose request carries none) and address → name. Keys share the
 * mailbox's hash tag, like every other key of the mailbox (src/store/keys.ts, `book`).
 */
export function addressBookKeys(prefix: string, mailbox: string) {
  return mailboxKeys(prefix, mailbox).book;
}

export interface AddressBookCount {
  people: number;
  addresses: number;
}

export interface AddressBookEntry {
  name: string;
  addresses: string[];
}

/** People written per round trip when importing. */
const BATCH = 500;

export function createAddressBook(redis: Redis, prefix: string, mailbox: string) {
  const keys = addressBookKeys(prefix, mailbox);

  return {
    keys,

    /**
     * Adds people to the book; importing the same file again changes nothing. Returns how many
     * different people and addresses the import held.
     */
    async import(people: readonly ImportedPerson[]): Promise<AddressBookCount> {
      const names = new Set<string>();
      const addresses = new Set<string>();
      for (let start = 0; start < people.length; start += BATCH) {
        const batch = redis.multi();
        for (const person of people.slice(start, start + BATCH)) {
          const filed = nameKeys(person.name);
          if (filed.length === 0 || person.addresses.length === 0) continue;
          names.add(filed[0]!);
          batch.hset(keys.people, filed[0]!, person.name);
          for (const key of filed) batch.sadd(keys.name(key), ...person.addresses);
          batch.sadd(keys.keys, ...filed);
          for (const address of person.addresses) {
            addresses.add(address);
            batch.hset(keys.addresses, address, person.name);
          }
        }
        await batch.exec();
      }
      return { people: names.size, addresses: addresses.size };
    },

    /**
     * The addresses filed under a name: those of the whole name when there are any, else those of
     * first and last name alone. Whether they make a match (exactly one) is resolve.ts's call.
     */
    async addressesFor(name: string): Promise<string[]> {
      for (const key of nameKeys(name)) {
        const found = await redis.smembers(keys.name(key));
        if (found.length > 0) return found.sort();
      }
      return [];
    },

    /** The name an address is filed under, or null. */
    async nameOf(address: string): Promise<string | null> {
      return redis.hget(keys.addresses, address.trim().toLowerCase());
    },

    async count(): Promise<AddressBookCount> {
      const [people, addresses] = await Promise.all([redis.hlen(keys.people), redis.hlen(keys.addresses)]);
      return { people, addresses };
    },

    /** A page of people in no particular order; pass the returned cursor for the next ('0' ends). */
    async list(cursor = '0', limit = 100): Promise<{ people: AddressBookEntry[]; cursor: string }> {
      const [next, flat] = await redis.hscan(keys.people, cursor, 'COUNT', Math.min(Math.max(limit, 1), 1000));
      const people: AddressBookEntry[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        const key = flat[i]!;
        people.push({ name: flat[i + 1]!, addresses: (await redis.smembers(keys.name(key))).sort() });
      }
      return { people, cursor: next };
    },

    /** Empties the book. */
    async clear(): Promise<void> {
      for (;;) {
        const batch = await redis.spop(keys.keys, BATCH);
        if (batch.length === 0) break;
        await redis.del(...batch.map(keys.name));
      }
      await redis.del(keys.people, keys.addresses, keys.keys);
    },
  };
}

export type AddressBook = ReturnType<typeof createAddressBook>;

