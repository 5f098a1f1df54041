import type { FastifyPluginAsync } from 'fastify';
import { createAddressBook } from '../../contacts/address-book.ts';
import { ContactsFileError, parseContactsFile, type ContactsFormat } from '../../contacts/import.ts';
import { HttpError, type WebContext } from '../context.ts';
import { addressBookCount, addressBookFile, importAnswer } from '../schemas/address-book.ts';
import { apiErrors, errorAnswer } from '../schemas/common.ts';
import type { ZodTypeProvider } from '../schemas/provider.ts';

/** Largest contacts file accepted (vCard exports with photos run to megabytes). */
const MAX_FILE_BYTES = 32 * 1024 * 1024;
/** Skipped lines listed in an answer; the count says how many there were in all. */
const MAX_SKIPPED_LISTED = 1000;

const FORMATS: Record<string, ContactsFormat | null> = {
  'text/csv': 'csv',
  'text/comma-separated-values': 'csv',
  'application/csv': 'csv',
  'text/vcard': 'vcard',
  'text/x-vcard': 'vcard',
  'text/directory': 'vcard',
  // Told by the content.
  'application/octet-stream': null,
};

/**
 * The address book over the JSON API, in the API scope like the rest of it (same bearer
 * token): `POST /api/address-book` with a CSV or vCard body imports it (and says what became of
 * the people waiting for an address), `GET /api/address-book` counts what the book holds.
 */
export const addressBookRoutes: FastifyPluginAsync<WebContext> = async (plain, { deps }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const book = createAddressBook(deps.redis, deps.config.redis.prefix, deps.store.mailbox);

  app.addContentTypeParser(Object.keys(FORMATS), { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES }, (_request, body, done) => done(null, body));

  app.get('/address-book', { schema: { description: 'What the address book holds.', response: { 200: addressBookCount, ...apiErrors } } }, async () => book.count());

  app.post(
    '/address-book',
    {
      bodyLimit: MAX_FILE_BYTES,
      schema: {
        description: 'Imports a CSV or vCard file into the address book; people waiting for an address it gives get it, and their script.',
        body: addressBookFile,
        response: {
          200: importAnswer,
          ...apiErrors,
          413: errorAnswer.describe('The file is larger than 32 MB.'),
          415: errorAnswer.describe('The Content-Type is not one of a CSV or vCard file.'),
        },
      },
    },
    async (request) => {
      const contentType = request.headers['content-type'] ?? '';
      const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
      if (!(mediaType in FORMATS)) {
        throw new HttpError(415, 'Send the file as text/csv (a CSV export with a header row) or text/vcard (a .vcf file).');
      }
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw new HttpError(400, 'The body is empty: send the contents of a CSV or vCard file.');
      const charset = /;\s*charset="?([^";\s]+)"?/i.exec(contentType)?.[1] ?? null;
      let parsed;
      try {
        parsed = parseContactsFile(body, { format: FORMATS[mediaType] ?? undefined, charset });
      } catch (error) {
        if (error instanceof ContactsFileError) throw new HttpError(400, `Nothing was imported: ${error.message}.`);
        throw error;
      }
      const imported = await book.import(parsed.people);
      // People waiting for an address whose name the book now answers get it (and their script).
      const awaiting = deps.resolveAwaiting ? await deps.resolveAwaiting() : null;
      return {
        format: parsed.format,
        imported,
        awaiting,
        skippedCount: parsed.skipped.length,
        skipped: parsed.skipped.slice(0, MAX_SKIPPED_LISTED),
        total: await book.count(),
      };
    },
  );
};
