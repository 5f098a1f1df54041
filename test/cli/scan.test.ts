import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMessageFile, scan, type ScanRecord } from '../../src/cli/scan.ts';
import type { ClassifyContext } from '../../src/detect/types.ts';
import { corpusDir } from '../support/corpus.ts';
import { buildMail } from '../support/mail.ts';

/** A temporary folder of constructed messages (plus one real sample), scanned as `winnow scan` would. */

const context: ClassifyContext = { ownAddresses: ['morgan@example.test'], messageIdDomain: 'example.test', authservId: null, unverifiedMail: 'accept' };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'winnow-scan-'));
  await mkdir(path.join(dir, 'nested', 'deeper'), { recursive: true });
  await writeFile(
    path.join(dir, 'a-personal.eml'),
    await buildMail({ from: { name: 'Jane Doe', address: 'jane@example.org' }, to: 'morgan@example.test', subject: "Let's connect", text: "Hi Morgan, I'd like to connect." }),
  );
  // No extension, as mbox-splitting tools write them.
  await writeFile(
    path.join(dir, 'nested', '1709285400'),
    await buildMail({
      from: { name: 'Bob Builder', address: 'bob@example.org' },
      to: 'morgan@example.test',
      subject: 'Invitation to connect on LinkedIn',
      headers: { Sender: 'messages-noreply@bounce.linkedin.com' },
      text: "I'd like to add you to my professional network on LinkedIn.\n\n- Bob\n\nhttps://www.linkedin.com/e/-abc/accept/",
    }),
  );
  await copyFile(path.join(corpusDir(), 'positive', 'linkedin-invite-2016-05-02.eml'), path.join(dir, 'nested', 'deeper', 'linkedin.eml'));
  await mkdir(path.join(dir, 'Maildir', 'cur'), { recursive: true });
  await writeFile(
    path.join(dir, 'Maildir', 'cur', '1709285400.M1P2.host:2,S'),
    await buildMail({ from: 'carol@example.org', to: 'morgan@example.test', subject: 'Lunch?', text: 'Friday works.' }),
  );
  await writeFile(path.join(dir, 'b-garbage.eml'), Buffer.from([0, 159, 146, 150, 255, 0, 13, 10, 13, 10, 1, 2, 3]));
  await writeFile(path.join(dir, 'c-empty.eml'), '');
  await writeFile(path.join(dir, '.hidden.eml'), 'From: x@example.org\r\n\r\nhidden');
  await writeFile(path.join(dir, 'notes.txt'), 'not a message');
  await symlink(path.join(dir, 'missing-target.eml'), path.join(dir, 'd-broken.eml'));
  // A loop must not make the walk endless.
  await symlink(dir, path.join(dir, 'nested', 'loop'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(paths: string[], json: boolean, explain = false): Promise<{ code: number; lines: string[]; errors: string[] }> {
  const lines: string[] = [];
  const errors: string[] = [];
  const code = await scan(
    paths,
    { json, explain, context },
    (line) => lines.push(line),
    (line) => errors.push(line),
  );
  return { code, lines, errors };
}

describe('winnow scan --json', () => {
  it('prints one JSON object per message, walking folders, skipping hidden and other files', async () => {
    const { code, lines, errors } = await run([dir], true);
    const records = lines.map((line) => JSON.parse(line) as ScanRecord);
    const byName = new Map(records.map((record) => [path.relative(dir, record.file), record]));
    expect([...byName.keys()].sort()).toEqual(['Maildir/cur/1709285400.M1P2.host:2,S', 'a-personal.eml', 'b-garbage.eml', 'c-empty.eml', 'nested/1709285400', 'nested/deeper/linkedin.eml']);
    expect(byName.get('Maildir/cur/1709285400.M1P2.host:2,S')).toMatchObject({ verdict: 'ignored', reason: 'no request to connect found' });

    expect(byName.get('a-personal.eml')).toMatchObject({
      verdict: 'connection_request',
      platform: 'email',
      replyTo: 'jane@example.org',
      requester: { name: 'Jane Doe', email: 'jane@example.org', profileUrl: null, headline: null, invitationId: null },
      from: 'jane@example.org',
      subject: "Let's connect",
    });
    expect(byName.get('nested/1709285400')).toMatchObject({ verdict: 'connection_request', platform: 'linkedin', replyTo: 'bob@example.org' });
    expect(byName.get('nested/deeper/linkedin.eml')).toMatchObject({
      verdict: 'connection_request',
      platform: 'linkedin',
      replyTo: null,
      requester: { name: 'Michael McAuliffe', invitationId: '6132985418842456064', headline: 'Managing Director', hasPhoto: true, note: null },
      flags: ['unverified'],
      language: 'en',
    });
    // Without --explain the rules are left out.
    expect(byName.get('nested/deeper/linkedin.eml')).not.toHaveProperty('explanation');
    expect(byName.get('b-garbage.eml')).toMatchObject({ verdict: 'ignored', replyTo: null, requester: null });
    expect(byName.get('c-empty.eml')).toMatchObject({ verdict: 'ignored', replyTo: null });

    for (const record of records) {
      expect(Object.keys(record)).toEqual(expect.arrayContaining(['file', 'verdict', 'platform', 'requester', 'replyTo', 'reason', 'flags', 'language', 'bounce', 'returnsAt']));
    }
    // Output follows the walk order, whatever order the parses finish in.
    expect(records.map((record) => path.relative(dir, record.file))).toEqual(['Maildir/cur/1709285400.M1P2.host:2,S', 'a-personal.eml', 'b-garbage.eml', 'c-empty.eml', 'nested/1709285400', 'nested/deeper/linkedin.eml']);
    // The broken link could not be read: it is an error with its reason, not a message "ignored";
    // the scan went on, and says so in its exit code.
    expect(errors).toEqual([`winnow scan: cannot read ${path.join(dir, 'd-broken.eml')}: no such file or folder (ENOENT)`, 'winnow scan: 1 of 7 files could not be read']);
    expect(code).toBe(1);
  });

  it('reads a named file whatever its extension, and reports a missing path without stopping', async () => {
    const missing = path.join(dir, 'no-such-file.eml');
    const { code, lines, errors } = await run([path.join(dir, 'notes.txt'), missing, path.join(dir, 'a-personal.eml')], true);
    const records = lines.map((line) => JSON.parse(line) as ScanRecord);
    expect(records.map((record) => [path.basename(record.file), record.verdict])).toEqual([
      ['notes.txt', 'ignored'],
      ['a-personal.eml', 'connection_request'],
    ]);
    expect(errors[0]).toBe(`winnow scan: cannot read ${missing}: no such file or folder (ENOENT)`);
    expect(code).toBe(1);
  });

  it('writes the control characters of a hostile subject as escapes, so the JSON cannot drive a terminal', async () => {
    const subject = 'Hello \u009b31m red \u202eevil\u007f';
    const file = path.join(dir, 'hostile-subject.mail');
    await writeFile(file, await buildMail({ from: 'eve@example.org', to: 'morgan@example.test', subject, text: 'Hi.' }));
    const { lines } = await run([file], true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\u007f-\u009f\u202e]/);
    expect(lines[0]).toContain('\\u009b');
    expect((JSON.parse(lines[0] ?? '') as ScanRecord).subject).toBe(subject);
  });

  it('exits 0 when every file was read', async () => {
    const { code, lines, errors } = await run([path.join(dir, 'a-personal.eml')], true);
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});

describe('winnow scan --explain', () => {
  it('adds to each JSON object the rules that decided, with their detail', async () => {
    const { lines } = await run([path.join(dir, 'nested', 'deeper', 'linkedin.eml'), path.join(dir, 'Maildir')], true, true);
    const [linkedin, lunch] = lines.map((line) => JSON.parse(line) as ScanRecord);
    expect(linkedin?.explanation).toEqual(
      expect.arrayContaining([
        { rule: 'linkedin.mail', detail: 'LinkedIn mail: From invitations@linkedin.com' },
        { rule: 'linkedin.accept-link', detail: 'link www.linkedin.com/comm/people/invite-accept' },
        { rule: 'authentication', detail: 'unverified: AUTHSERV_ID is not set, so no Authentication-Results of a receiving server are believed' },
      ]),
    );
    expect(lunch?.explanation).toEqual([{ rule: 'no-rule', detail: 'no platform, no personal request phrase' }]);
  });

  it('prints the rules under each table line', async () => {
    const { lines } = await run([path.join(dir, 'nested', 'deeper', 'linkedin.eml')], false, true);
    expect(lines[3]).toMatch(/^ {2}connection_request\s+linkedin\s+/);
    expect(lines[4]).toMatch(/^ {4}headline: Managing Director · profile: https:\/\/www\.linkedin\.com\/profile\/view\?id=\S+ · invitation: 6132985418842456064 · photo: yes · flags: unverified · language: en$/);
    expect(lines.slice(5)).toContain('      linkedin.accept-link: link www.linkedin.com/comm/people/invite-accept');
    expect(lines.slice(5).every((line) => line.startsWith('      '))).toBe(true);
  });
});

describe('winnow scan (table)', () => {
  it('prints each file on its own line, then its columns, aligned under the header whatever the path, then what it read of the requester', async () => {
    const { lines } = await run([path.join(dir, 'a-personal.eml'), path.join(dir, 'nested', 'deeper')], false);
    expect(lines[0]).toBe('FILE');
    expect(lines[1]).toMatch(/^ {2}VERDICT\s+PLATFORM\s+REPLY TO\s+NAME\s+REASON$/);
    expect(lines).toHaveLength(8);
    expect(lines[2]).toBe(path.join(dir, 'a-personal.eml'));
    expect(lines[3]).toMatch(/^ {2}connection_request\s+email\s+/);
    expect(lines[4]).toBe('    note: "Hi Morgan, I\'d like to connect." · flags: unverified · language: en');
    // A longer path than the first: the columns stay where the header put them.
    expect(lines[5]).toBe(path.join(dir, 'nested', 'deeper', 'linkedin.eml'));
    expect(lines[6]).toMatch(/^ {2}connection_request\s+linkedin\s+-\s+Michael McAuliffe/);
    for (const title of ['PLATFORM', 'REPLY TO', 'NAME', 'REASON']) {
      const column = lines[1]!.indexOf(title);
      expect(lines[3]![column - 1], title).toBe(' ');
      expect(lines[6]![column - 1], title).toBe(' ');
      expect(lines[3]![column], title).not.toBe(' ');
      expect(lines[6]![column], title).not.toBe(' ');
    }
    expect(lines[3]!.slice(lines[1]!.indexOf('REPLY TO')).startsWith('jane@example.org')).toBe(true);
    expect(lines[6]!.slice(lines[1]!.indexOf('REASON')).startsWith('LinkedIn invitation')).toBe(true);
  });

  it('reports a missing file as an error with the reason, apart from the table', async () => {
    const missing = path.join(dir, 'not-there.eml');
    const { code, lines, errors } = await run([missing], false);
    expect(lines).toEqual(['FILE', expect.stringMatching(/^ {2}VERDICT/)]);
    expect(errors).toEqual([`winnow scan: cannot read ${missing}: no such file or folder (ENOENT)`, 'winnow scan: 1 of 1 file could not be read']);
    expect(code).toBe(1);
  });

  it('blanks control characters from names, so mail cannot drive the terminal', async () => {
    const file = path.join(dir, 'nested', 'escape.eml');
    await writeFile(file, await buildMail({ from: { name: 'Eve \u001b[31mRed', address: 'eve@example.org' }, to: 'morgan@example.test', subject: "Let's connect", text: 'Hi.' }));
    try {
      const { lines } = await run([file], false);
      expect(lines[3]).toMatch(/Eve \s*\[31mRed/);
      expect(lines.join('\n')).not.toContain('\u001b');
    } finally {
      await rm(file);
    }
  });
});

describe('isMessageFile', () => {
  it.each([
    ['mail.eml', '', true],
    ['MAIL.EML', '', true],
    ['1709285400', '', true],
    ['1709285400.M1P2.host', '', false],
    ['1709285400.M1P2.host:2,S', 'cur', true],
    ['notes.txt', '', false],
    ['.hidden.eml', '', false],
    ['.hidden', 'new', false],
  ])('%s in "%s" → %s', (name, folder, expected) => {
    expect(isMessageFile(name, folder)).toBe(expected);
  });
});
