import { withCommandRedis } from './redis.ts';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createAddressBook } from '../contacts/address-book.ts';
import { ContactsFileError, parseContactsFile, type ContactsFile } from '../contacts/import.ts';
import type { Redis } from 'ioredis';
import type { AwaitingSummary } from '../contacts/awaiting.ts';

/** Largest file read; an address book export is far smaller. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Skipped lines printed per file; the count says how many there were. */
const MAX_SKIPPED_PRINTED = 50;

export interface ImportOptions {
  redisUrl: string;
  prefix: string;
  mailbox: string;
  /** Empty the address book before importing. */
  replace: boolean;
  /** Gives people waiting for an address the ones the book now holds (src/runtime.ts resolveAwaitingFor). */
  resolveAwaiting?: (redis: Redis) => Promise<AwaitingSummary>;
}

/**
 * `winnow import-contacts FILE...`: reads CSV and vCard exports into the address book and says
 * how many people and addresses each file gave, and which lines were skipped and why. Returns
 * the exit code: 0 when every file was read, 1 when one could not be.
 */
export async function importContacts(files: string[], options: ImportOptions, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const parsed: Array<{ file: string; contents: ContactsFile }> = [];
  let failed = false;
  for (const file of files) {
    const name = path.basename(file);
    try {
      const size = (await stat(file)).size;
      if (size > MAX_FILE_BYTES) throw new ContactsFileError(`the file is ${Math.round(size / 1024 / 1024)} MB; the limit is ${MAX_FILE_BYTES / 1024 / 1024} MB`);
      parsed.push({ file, contents: parseContactsFile(await readFile(file), { fileName: name }) });
    } catch (error) {
      failed = true;
      const reason = error instanceof ContactsFileError ? error.message : (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
      err(`${file}: not imported: ${reason}`);
    }
  }
  if (parsed.length === 0) return 1;

  return withCommandRedis(options.redisUrl, 'cli', err, async (redis) => {
    const book = createAddressBook(redis, options.prefix, options.mailbox);
    if (options.replace) {
      await book.clear();
      out('The address book was emptied first (--replace).');
    }
    for (const { file, contents } of parsed) {
      const counted = await book.import(contents.people);
      const format = contents.format === 'csv' ? 'CSV' : 'vCard';
      const skipped = contents.skipped.length;
      out(
        `${file} (${format}): ${plural(counted.people, 'person', 'people')} with ${plural(counted.addresses, 'address', 'addresses')} imported` +
          (skipped > 0 ? `; ${plural(skipped, 'line', 'lines')} skipped:` : ''),
      );
      for (const line of contents.skipped.slice(0, MAX_SKIPPED_PRINTED)) out(`  line ${line.line}: ${line.reason}`);
      if (skipped > MAX_SKIPPED_PRINTED) out(`  … and ${skipped - MAX_SKIPPED_PRINTED} more`);
    }
    const total = await book.count();
    out(`The address book now holds ${plural(total.people, 'person', 'people')} with ${plural(total.addresses, 'address', 'addresses')}.`);
    if (options.resolveAwaiting) {
      const awaiting = await options.resolveAwaiting(redis);
      const found = awaiting.waiting - awaiting.stillWaiting;
      if (awaiting.waiting > 0) {
        const moved = [
          awaiting.queued > 0 ? `${awaiting.queued} queued for their script` : null,
          awaiting.awaitingApproval > 0 ? `${awaiting.awaitingApproval} waiting for your approval` : null,
          awaiting.skipped > 0 ? `${awaiting.skipped} skipped (see their timeline)` : null,
        ].filter((part) => part !== null);
        out(`Of ${plural(awaiting.waiting, 'person', 'people')} waiting for an address, the address book gave ${found} one${moved.length > 0 ? `: ${moved.join(', ')}` : ''}.`);
      }
    }
    return failed ? 1 : 0;
  });
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
