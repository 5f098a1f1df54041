import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ContactsFileError, detectFormat, parseContactsFile, parseCsvContacts, parseVCards } from '../../src/contacts/import.ts';

// Constructed files in the shapes the named programs export (header rows and property layouts
// as those programs write them); the people in them are made up.

const crlf = (lines: string[]) => lines.join('\r\n');

describe('CSV exports', () => {
  it("reads LinkedIn's Connections.csv, notes above the header and people without an address included", () => {
    const file = crlf([
      'Notes:',
      '"When exporting your connection data, you may notice that some of the email addresses are missing. You will only see email addresses for connections who have allowed their connections to see or download their email address using this setting https://www.linkedin.com/psettings/privacy/email. You can learn more here https://www.linkedin.com/help/linkedin/answer/261"',
      '',
      'First Name,Last Name,URL,Email Address,Company,Position,Connected On',
      'Jane,Doe,https://www.linkedin.com/in/janedoe,jane.doe@example.com,"Example, Inc.",CTO,12 Mar 2024',
      'John,Smith,https://www.linkedin.com/in/johnsmith,,Acme,Engineer,01 Feb 2023',
      '',
    ]);
    const result = parseContactsFile(Buffer.from(file), { fileName: 'Connections.csv' });
    expect(result.format).toBe('csv');
    expect(result.people).toEqual([{ name: 'Jane Doe', addresses: ['jane.doe@example.com'], line: 5 }]);
    expect(result.skipped).toEqual([{ line: 6, reason: 'no e-mail address for "John Smith"' }]);
  });

  it("reads the older LinkedIn shape named in the brief (First Name,Last Name,Email Address,Company,Position)", () => {
    const result = parseCsvContacts('First Name,Last Name,Email Address,Company,Position\nAna,Pérez,Ana.Perez@Empresa.example,Empresa,CEO\n');
    expect(result.people).toEqual([{ name: 'Ana Pérez', addresses: ['ana.perez@empresa.example'], line: 2 }]);
  });

  it('reads a Google Contacts export (old format: several addresses in one cell separated by ":::")', () => {
    const header =
      'Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,Additional Name Yomi,Family Name Yomi,Name Prefix,Name Suffix,Initials,Nickname,Short Name,Maiden Name,Birthday,Gender,Location,Billing Information,Directory Server,Mileage,Occupation,Hobby,Sensitivity,Priority,Subject,Notes,Language,Photo,Group Membership,E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value,Phone 1 - Type,Phone 1 - Value';
    const row = (name: string, given: string, family: string, email1: string, email2: string) =>
      [name, given, '', family, ...Array(24).fill(''), '* myContacts', '* Home', email1, '* Work', email2, 'Mobile', '+49 30 1234567'].join(',');
    const file = `\ufeff${crlf([header, row('José Müller', 'José', 'Müller', 'jose@example.de ::: jmueller@example.com', 'jose.mueller@work.example'), row('', 'Kim', 'Lee', 'kim@example.org', '')])}`;
    const result = parseContactsFile(Buffer.from(file, 'utf8'), { fileName: 'contacts.csv' });
    expect(result.people).toEqual([
      { name: 'José Müller', addresses: ['jose@example.de', 'jmueller@example.com', 'jose.mueller@work.example'], line: 2 },
      { name: 'Kim Lee', addresses: ['kim@example.org'], line: 3 },
    ]);
    expect(result.skipped).toEqual([]);
  });

  it('reads a Google Contacts export (2023 format with labels)', () => {
    const file = crlf([
      'First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value',
      'Grace,Brewster,Hopper,,,,Rear Admiral,,Amazing Grace,,US Navy,,,,,,* myContacts,* Work,grace@navy.example,,',
    ]);
    expect(parseCsvContacts(file).people).toEqual([{ name: 'Grace Brewster Hopper', addresses: ['grace@navy.example'], line: 2 }]);
  });

  it('reads an Outlook export: every field quoted, notes over several lines, Windows-1252 bytes', () => {
    const header =
      '"First Name","Middle Name","Last Name","Title","Suffix","Initials","Web Page","Gender","Birthday","Anniversary","Location","Language","Internet Free Busy","Notes","E-mail Address","E-mail Type","E-mail Display Name","E-mail 2 Address","E-mail 3 Address","Primary Phone"';
    const rows = [
      '"François","","Dupont","M.","","F.D.","","Unspecified","0/0/00","0/0/00","","","","Met at the fair.\r\nLikes cheese, wine; and ""quotes"".","francois.dupont@example.fr","SMTP","François Dupont (francois.dupont@example.fr)","fd@home.example","",""',
      '"Ingrid","","Bergström","","","","","","","","","","","","","","","","",""',
    ];
    const bytes = Buffer.from(crlf([header, ...rows]), 'latin1');
    const result = parseContactsFile(bytes, { fileName: 'outlook.CSV' });
    expect(result.people).toEqual([{ name: 'François Dupont', addresses: ['francois.dupont@example.fr', 'fd@home.example'], line: 2 }]);
    // The first person's quoted notes span two lines, so Ingrid is on line 4.
    expect(result.skipped).toEqual([{ line: 4, reason: 'no e-mail address for "Ingrid Bergström"' }]);
  });

  it('reads semicolon-separated files (Outlook in many European locales)', () => {
    const result = parseCsvContacts('Vorname;Nachname;E-Mail-Adresse\nJürgen;Weiß;juergen@example.de\n');
    expect(result.people).toEqual([{ name: 'Jürgen Weiß', addresses: ['juergen@example.de'], line: 2 }]);
  });

  it('reads a UTF-16 file with a byte-order mark (Outlook "Unicode" export)', () => {
    const text = 'Name,E-mail Address\r\nØyvind Ås,oyvind@example.no\r\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(parseContactsFile(bytes, { fileName: 'x.csv' }).people).toEqual([{ name: 'Øyvind Ås', addresses: ['oyvind@example.no'], line: 2 }]);
  });

  it('skips broken lines with the reason and reads on', () => {
    const file = [
      'Name,Email',
      'Good One,good@example.org',
      'Not Mail,not-an-address',
      'Too,many,fields,here@example.org',
      ',nameless@example.org',
      '"Never Closed,open@example.org',
      'After Break,after@example.org',
    ].join('\n');
    const result = parseCsvContacts(file);
    expect(result.people.map((p) => p.name)).toEqual(['Good One', 'After Break']);
    expect(result.skipped).toEqual([
      { line: 3, reason: 'not an e-mail address: "not-an-address"' },
      { line: 4, reason: 'has 4 fields where the header has 2 (a comma in an unquoted field?)' },
      { line: 5, reason: 'no name for nameless@example.org' },
      { line: 6, reason: 'a quoted field is never closed' },
    ]);
  });

  it('refuses a file without a recognisable header row, importing nothing', () => {
    expect(() => parseCsvContacts('alpha,beta\n1,2\n')).toThrow(ContactsFileError);
    expect(() => parseContactsFile(Buffer.from('just some text\nwith lines\n'))).toThrow(/neither a CSV file/);
  });
});

describe('vCard files', () => {
  it('reads vCard 2.1 from a phone: quoted-printable UTF-8 split over lines, several EMAIL lines', () => {
    const file = crlf([
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9A=D0=B0=D1=80=D0=B5=D0=BD=D0=B8=D0=BD=D0=B0;=D0=90=D0=BD=D0=BD=D0=B0;;;',
      'FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=90=D0=BD=D0=BD=D0=B0 =D0=9A=D0=B0=D1=80=D0=B5=D0=BD=D0=B8=',
      '=D0=BD=D0=B0',
      'TEL;CELL:+7 495 1234567',
      'EMAIL;HOME:anna@example.ru',
      'EMAIL;WORK;PREF:anna.karenina@work.example',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Dupont;Fran=E7ois;;;',
      'EMAIL;INTERNET:francois@example.fr',
      'END:VCARD',
    ]);
    const result = parseVCards(Buffer.from(file, 'latin1'));
    expect(result.people).toEqual([
      { name: 'Анна Каренина', addresses: ['anna.karenina@work.example', 'anna@example.ru'], line: 1 },
      { name: 'François Dupont', addresses: ['francois@example.fr'], line: 10 },
    ]);
    expect(result.skipped).toEqual([]);
  });

  it('reads 8-bit values in the charset a 2.1 card names', () => {
    const file = Buffer.concat([Buffer.from('BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=ISO-8859-1:'), Buffer.from('Zoë Ærø', 'latin1'), Buffer.from('\r\nEMAIL:zoe@example.dk\r\nEND:VCARD\r\n')]);
    expect(parseVCards(file).people).toEqual([{ name: 'Zoë Ærø', addresses: ['zoe@example.dk'], line: 1 }]);
  });

  it('reads vCard 2.1 in legacy charsets: 8-bit Shift_JIS from a Japanese phone, quoted-printable KOI8-R', () => {
    const file = Buffer.concat([
      Buffer.from('BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=SHIFT_JIS:'),
      iconv.encode('山田;太郎', 'shift_jis'),
      Buffer.from('\r\nEMAIL;INTERNET:taro@example.jp\r\nEND:VCARD\r\n'),
      Buffer.from('BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=KOI8-R;ENCODING=QUOTED-PRINTABLE:'),
      Buffer.from(iconv.encode('Анна Каренина', 'koi8-r').toString('latin1').replace(/[\x80-\xff]/g, (char) => `=${char.charCodeAt(0).toString(16).toUpperCase()}`), 'latin1'),
      Buffer.from('\r\nEMAIL:anna@example.ru\r\nEND:VCARD\r\n'),
    ]);
    const result = parseVCards(file);
    expect(result.people).toEqual([
      { name: '太郎 山田', addresses: ['taro@example.jp'], line: 1 },
      { name: 'Анна Каренина', addresses: ['anna@example.ru'], line: 6 },
    ]);
    expect(result.skipped).toEqual([]);
  });

  it('reads vCard 3.0 from Apple Contacts: grouped EMAIL lines, escapes, a folded photo', () => {
    const file = crlf([
      'BEGIN:VCARD',
      'VERSION:3.0',
      'PRODID:-//Apple Inc.//macOS 14.0//EN',
      'N:Doe;Jane;Q.;;',
      'FN:Jane Q. Doe',
      'ORG:Example\\, Inc.;',
      'item1.EMAIL;type=INTERNET;type=pref:jane@example.org',
      'item1.X-ABLabel:_$!<Other>!$_',
      'EMAIL;type=INTERNET;type=WORK:Jane.Doe@Work.example',
      'PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEx',
      ' 8UFhUXGBcWFhccIC4gHBwfJC4kHB0oKScnKjQtMDA2NjY2NjY2Nj',
      'NOTE:Met in Berlin\\, 2019.\\nIntroduced by Sam; works on wi',
      ' nd power.',
      'END:VCARD',
    ]);
    const result = parseVCards(file);
    expect(result.people).toEqual([{ name: 'Jane Q. Doe', addresses: ['jane@example.org', 'jane.doe@work.example'], line: 1 }]);
  });

  it('reads vCard 4.0: PREF parameters, names from N when FN is missing', () => {
    const file = crlf([
      'BEGIN:VCARD',
      'VERSION:4.0',
      'N:Pérez;Ana;María;;',
      'EMAIL;TYPE=home:ana@casa.example',
      'EMAIL;TYPE=work;PREF=1:mailto:ana.perez@empresa.example',
      'END:VCARD',
    ]);
    expect(parseVCards(file).people).toEqual([{ name: 'Ana María Pérez', addresses: ['ana.perez@empresa.example', 'ana@casa.example'], line: 1 }]);
  });

  it('skips broken cards and lines with the reason and reads on', () => {
    const file = [
      'garbage before any card',
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:No Mail',
      'TEL:+1 555 0100',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Bad Mail',
      'EMAIL:bad mail@',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:3.0',
      'this line has no colon',
      'FN:Good Person',
      'EMAIL:good@example.org',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Never Ends',
      'EMAIL:never@example.org',
    ].join('\n');
    const result = parseVCards(file);
    expect(result.people).toEqual([{ name: 'Good Person', addresses: ['good@example.org'], line: 12 }]);
    expect(result.skipped).toEqual([
      { line: 1, reason: 'text outside a card (no BEGIN:VCARD before it)' },
      { line: 2, reason: 'no e-mail address for "No Mail"' },
      { line: 7, reason: 'not an e-mail address: "mail@"' },
      { line: 14, reason: 'not a vCard property (no ":")' },
      { line: 18, reason: 'the card never ends (END:VCARD is missing)' },
    ]);
  });

  it('keeps hostile names as plain text: markup verbatim, no control or direction-override characters, capped', () => {
    const file = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:<script>alert(1)</script> "><img src=x onerror=alert(2)>',
      'EMAIL:xss@example.org',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:\u001b[31mRed\u001b[0m Terminal\u202eevil\u0000',
      'EMAIL:ansi@example.org',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:3.0',
      `FN:${'Long '.repeat(100)}`,
      'EMAIL:long@example.org',
      'END:VCARD',
    ].join('\r\n');
    const [xss, ansi, long] = parseVCards(file).people;
    expect(xss!.name).toBe('<script>alert(1)</script> "><img src=x onerror=alert(2)>');
    expect(ansi!.name).toBe('[31mRed [0m Terminal evil');
    expect(long!.name.length).toBeLessThanOrEqual(200);
  });
});

describe('format detection', () => {
  it('goes by extension, then by content', () => {
    expect(detectFormat(Buffer.from('anything'), 'me.VCF')).toBe('vcard');
    expect(detectFormat(Buffer.from('anything'), 'me.csv')).toBe('csv');
    expect(detectFormat(Buffer.from('\ufeffBEGIN:VCARD\r\nVERSION:3.0\r\n'))).toBe('vcard');
    expect(detectFormat(Buffer.from('First Name,Last Name,Email Address\r\n'))).toBe('csv');
    expect(detectFormat(Buffer.from('hello'))).toBeNull();
  });
});
