import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ABSENCE_MS, readAutoReply } from '../../src/detect/auto-reply.ts';
import type { ClassifyContext } from '../../src/detect/types.ts';
import type { Language } from '../../src/vocabulary/contact.ts';
import { parseMessage } from '../../src/mail/message.ts';
import { corpusDir } from '../support/corpus.ts';
import { buildMail, type MailFields } from '../support/mail.ts';

/**
 * Out-of-office and other automatic replies. The two real samples come from the corpus (test/fixtures/corpus);
 * every other message here is constructed (test/support/mail.ts), in the shapes mail servers and
 * clients write in each language.
 */

const ME = 'morgan@example.test';
const context: ClassifyContext = { ownAddresses: [ME], messageIdDomain: 'example.test', authservId: null, unverifiedMail: 'accept' };
const OUR_SCRIPT = '<winnow.c42.1@example.test>';
const SENT = 'Mon, 21 Dec 2026 09:00:00 +0100';

async function autoReplyTo(fields: MailFields) {
  return readAutoReply(await parseMessage(await buildMail({ from: 'jane@example.org', to: ME, inReplyTo: OUR_SCRIPT, date: SENT, ...fields })), context);
}

function iso(at: number | null | undefined): string | null {
  return at === null || at === undefined ? null : new Date(at).toISOString();
}

describe('real samples (test/fixtures/corpus)', () => {
  it('iCloud vacation reply: out of office, back when its X-Apple-Criteria window ends', async () => {
    const reply = readAutoReply(await parseMessage(readFileSync(path.join(corpusDir(), 'negative', 'autoreply-apple.eml'))), context);
    expect(reply).toMatchObject({ outOfOffice: true, reason: 'auto-reply: X-Apple-Action: VACATION' });
    expect(iso(reply?.returnsAt)).toBe('2020-01-10T15:00:00.000Z');
  });

  it('Exchange "Automatic reply": out of office on Friday, back the day after', async () => {
    const reply = readAutoReply(await parseMessage(readFileSync(path.join(corpusDir(), 'negative', 'autoreply-outlook.eml'))), context);
    expect(reply).toMatchObject({ outOfOffice: true, language: 'en' });
    // Sent Wednesday 17 July 2013 (its Date says "Thu", the calendar says Wednesday): Friday is the 19th.
    expect(iso(reply?.returnsAt)).toBe('2013-07-20T00:00:00.000Z');
  });
});

describe.each<[Language, MailFields, string | null]>([
  ['en', { subject: 'Out of Office: Thanks for wanting to connect', text: 'I am out of the office until 4 January with limited access to email.' }, '2027-01-04T23:00:00.000Z'],
  ['en', { subject: 'Automatic reply: Thanks for wanting to connect', text: 'I am on holiday and back on Monday, 11 January.' }, '2027-01-10T23:00:00.000Z'],
  ['de', { subject: 'Abwesenheitsnotiz: Danke für Ihre Anfrage', text: 'Vielen Dank für Ihre Nachricht. Ich bin bis einschließlich 12.01.2027 nicht im Büro.' }, '2027-01-12T23:00:00.000Z'],
  ['de', { subject: 'Automatische Antwort: Danke', text: 'Ich bin im Urlaub. Ab dem 7. Januar bin ich wieder im Büro.' }, '2027-01-06T23:00:00.000Z'],
  ['fr', { subject: 'Absence : Merci', text: 'Je suis absent du bureau, de retour le 5 janvier.' }, '2027-01-04T23:00:00.000Z'],
  ['fr', { subject: 'Réponse automatique : Merci', text: "Je suis en congés jusqu'au 4 janvier inclus." }, '2027-01-04T23:00:00.000Z'],
  ['es', { subject: 'Fuera de la oficina: Gracias', text: 'Estoy fuera de la oficina hasta el 7 de enero.' }, '2027-01-07T23:00:00.000Z'],
  ['pt', { subject: 'Ausência: Obrigado', text: 'Estou ausente até 10 de janeiro.' }, '2027-01-10T23:00:00.000Z'],
  ['it', { subject: 'Fuori sede: Grazie', text: 'Sono fuori sede fino al 9 gennaio.' }, '2027-01-09T23:00:00.000Z'],
  ['nl', { subject: 'Afwezig: Bedankt', text: 'Ik ben afwezig tot en met 8 januari.' }, '2027-01-08T23:00:00.000Z'],
  ['nl', { subject: 'Automatisch antwoord: Bedankt', text: 'Ik ben met vakantie en heb beperkte toegang tot mijn e-mail.' }, null],
])('out-of-office in %s (constructed)', (language, fields, returnsAt) => {
  it(`"${fields.subject}" → back ${returnsAt ?? 'not stated'}`, async () => {
    const reply = await autoReplyTo(fields);
    expect(reply).toMatchObject({ outOfOffice: true, language, answersMessageId: 'winnow.c42.1@example.test' });
    expect(iso(reply?.returnsAt)).toBe(returnsAt);
    expect(reply?.explanation.map((entry) => entry.rule)).toEqual(['auto-reply', 'out-of-office', 'return-date']);
  });
});

describe('how an automatic reply is recognised (constructed)', () => {
  it('by RFC 3834 Auto-Submitted alone, subject unchanged', async () => {
    const reply = await autoReplyTo({ subject: 'Re: Thanks for wanting to connect', headers: { 'Auto-Submitted': 'auto-replied (vacation)' }, text: 'Ich bin bis 12. März nicht im Büro.' });
    expect(reply).toMatchObject({ reason: 'auto-reply: Auto-Submitted: auto-replied', outOfOffice: true });
    expect(iso(reply?.returnsAt)).toBe('2027-03-12T23:00:00.000Z');
  });

  it.each(['X-Autoreply', 'X-Autorespond', 'X-Auto-Reply'])('by %s', async (name) => {
    const reply = await autoReplyTo({ subject: 'Re: Thanks', headers: { [name]: 'yes' }, text: 'I am travelling and will reply when I return.' });
    expect(reply).toMatchObject({ reason: `auto-reply: ${name} present`, outOfOffice: true, returnsAt: null });
  });

  it('Lotus Notes subject "Jane Doe is out of the office."', async () => {
    expect(await autoReplyTo({ subject: 'Jane Doe is out of the office.', text: 'I will respond when I am back.' })).toMatchObject({ outOfOffice: true });
  });

  it('an unmarked out-of-office note in reply to our script', async () => {
    const reply = await autoReplyTo({ subject: 'Re: Thanks for wanting to connect', text: 'I am currently out of the office until 6 January with no access to email.' });
    expect(reply).toMatchObject({ outOfOffice: true });
    expect(reply?.reason).toMatch(/^auto-reply: an out-of-office note/);
    expect(iso(reply?.returnsAt)).toBe('2027-01-06T23:00:00.000Z');
  });

  it('Pigeonhole\'s "Auto:" subject in reply to our script', async () => {
    expect(await autoReplyTo({ subject: 'Auto: Thanks for wanting to connect', text: 'Gone fishing.' })).toMatchObject({ reason: 'auto-reply: subject "Auto: Thanks for wanting to connect"', outOfOffice: false });
  });

  it('a ticket receipt is automatic but not an absence: no return date, no pause', async () => {
    const reply = await autoReplyTo({ subject: 'Automatic reply: Thanks', headers: { 'Auto-Submitted': 'auto-replied' }, text: 'We received your request and will answer within 24 hours.' });
    expect(reply).toMatchObject({ outOfOffice: false, returnsAt: null });
    expect(reply?.explanation.map((entry) => entry.rule)).toEqual(['auto-reply']);
  });

  it('the default absence is a week', () => {
    expect(DEFAULT_ABSENCE_MS).toBe(7 * 24 * 60 * 60 * 1000);
  });
});

describe('what is not an automatic reply (constructed)', () => {
  it.each<[string, MailFields]>([
    ['a person mentioning a holiday in the subject', { subject: 'Urlaub in Berlin – lass uns vernetzen', text: 'Hallo! Ich würde mich gerne mit dir vernetzen.', inReplyTo: undefined }],
    ['an answer that mentions having been away', { subject: 'Re: Thanks for wanting to connect', text: `Sorry for the slow answer, I was out of the office last week. ${'We design timber schools and would like to swap referrals with you because both of us work with architects. '.repeat(8)}` }],
    ['a person writing about an absence without any reply context', { subject: 'Absence management software', text: 'I am out of the office until Monday but wanted to connect: I build HR tools.', inReplyTo: undefined }],
    ['a short answer from someone away', { subject: 'Re: Thanks for wanting to connect', text: 'I am out of the office until 5 January, but quickly: I run a bakery in Kiel and would like to connect because we both love bread.' }],
    ['a German subject about a car', { subject: 'Auto: Angebot für Sie', text: 'Ich möchte mich gerne mit Ihnen vernetzen.', inReplyTo: undefined }],
  ])('%s', async (_name, fields) => {
    expect(await autoReplyTo(fields)).toBeNull();
  });
});
