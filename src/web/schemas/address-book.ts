import { z } from 'zod';

const count = z.number().int();

export const addressBookCount = z.object({ people: count.describe('Names in the book.'), addresses: count.describe('Addresses in the book.') });

/**
 * A CSV or vCard file as the raw body; the Content-Type says which (application/octet-stream: told
 * by the content). The route checks it, so that another type answers 415 and an empty body 400.
 */
export const addressBookFile = z.unknown().describe('The contents of a CSV export with a header row (text/csv, UTF-8 unless its charset says otherwise) or a .vcf file (text/vcard), up to 32 MB.');

export const importAnswer = z.object({
  format: z.enum(['csv', 'vcard']).describe('What the file was read as.'),
  imported: addressBookCount.describe('What the file held.'),
  awaiting: z
    .object({
      waiting: count.describe('People who were waiting for an address.'),
      queued: count.describe('Of them, those who got one and their script.'),
      awaitingApproval: count,
      skipped: count,
      stillWaiting: count.describe('No address, several, or an erased person\'s.'),
    })
    .nullable()
    .describe('What became of the people waiting for an address; null when this process does not resolve them.'),
  skippedCount: count.describe('Lines that were not read, in all.'),
  skipped: z.array(z.object({ line: count, reason: z.string() })).describe('The first 1000 lines not read, with why.'),
  total: addressBookCount.describe('What the book holds now.'),
});
