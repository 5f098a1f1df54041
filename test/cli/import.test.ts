import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressBook } from '../../src/contacts/address-book.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs `node bin/winnow.js ...` as a user would, in a folder of its own with only the given environment. */
function winnow(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin/winnow.js'), ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('winnow import-contacts', () => {
  let sandbox: Sandbox;
  let redis: Redis;
  let folder: string;
  let env: Record<string, string>;
  let prefix: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ imap: false, smtp: false });
    redis = new Redis(sandbox.redisUrl, { maxRetriesPerRequest: 2 });
    folder = await mkdtemp(path.join(tmpdir(), 'winnow-import-'));
    prefix = `t-cli-${randomUUID().slice(0, 8)}`;
    // The whole configuration is checked, as for every command that reaches Redis; IMAP and SMTP are not contacted.
    env = {
      IMAP_HOST: '127.0.0.1',
      IMAP_USER: 'me@example.test',
      IMAP_PASS: 'unused',
      SMTP_HOST: '127.0.0.1',
      MAIL_FROM: 'Morgan Example <me@example.test>',
      DASHBOARD_PASSWORD: 'dashboard-secret',
      REDIS_URL: sandbox.redisUrl,
      REDIS_PREFIX: prefix,
    };
  });
  afterAll(async () => {
    await redis?.quit();
    await sandbox?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('imports a vCard file and a CSV file, says how many people and addresses, and which lines were skipped and why', async () => {
    // Constructed files in the shapes Apple Contacts and LinkedIn export.
    await writeFile(
      path.join(folder, 'contacts.vcf'),
      [
        'BEGIN:VCARD',
        'VERSION:3.0',
        'N:Doe;Jane;;;',
        'FN:Jane Doe',
        'item1.EMAIL;type=INTERNET;type=pref:jane@example.org',
        'EMAIL;type=INTERNET;type=WORK:jane.doe@work.example',
        'END:VCARD',
        'BEGIN:VCARD',
        'VERSION:3.0',
        'FN:Phone Only',
        'TEL:+1 555 0100',
        'END:VCARD',
        '',
      ].join('\r\n'),
    );
    await writeFile(path.join(folder, 'Connections.csv'), 'First Name,Last Name,URL,Email Address,Company,Position,Connected On\nJosé,Núñez,https://www.linkedin.com/in/jnunez,jose@example.es,Acme,CEO,01 Jan 2024\n');

    const result = await winnow(['import-contacts', 'contacts.vcf', 'Connections.csv'], folder, env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'contacts.vcf (vCard): 1 person with 2 addresses imported; 1 line skipped:',
      '  line 8: no e-mail address for "Phone Only"',
      'Connections.csv (CSV): 1 person with 1 address imported',
      'The address book now holds 2 people with 3 addresses.',
      '',
    ]);
    const book = createAddressBook(redis, prefix, 'primary');
    expect(await book.addressesFor('Núñez, José')).toEqual(['jose@example.es']);
    expect(await book.addressesFor('Jane Doe')).toEqual(['jane.doe@work.example', 'jane@example.org']);
  });

  it('empties the book first with --replace', async () => {
    await writeFile(path.join(folder, 'one.vcf'), 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Only One\r\nEMAIL:one@example.org\r\nEND:VCARD\r\n');
    const result = await winnow(['import-contacts', '--replace', 'one.vcf'], folder, env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('The address book now holds 1 person with 1 address.');
  });

  it('names a file it cannot read and imports the others, exiting with 1', async () => {
    await writeFile(path.join(folder, 'notes.txt'), 'just some notes\nnothing else\n');
    await writeFile(path.join(folder, 'two.vcf'), 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Two People\r\nEMAIL:two@example.org\r\nEND:VCARD\r\n');
    const result = await winnow(['import-contacts', 'notes.txt', 'missing.csv', 'two.vcf'], folder, env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('notes.txt: not imported: this is neither a CSV file with a header row nor a vCard file (.vcf)');
    expect(result.stderr).toContain('missing.csv: not imported: no such file');
    expect(result.stdout).toContain('two.vcf (vCard): 1 person with 1 address imported');
  });

  it('explains its use when no file is named', async () => {
    const result = await winnow(['import-contacts'], folder, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('name at least one CSV or vCard file');
    const help = await winnow(['help'], folder, {});
    expect(help.stdout).toContain('import-contacts FILE...');
  });
});
