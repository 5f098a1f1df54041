import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchNotice } from '../../src/contacts/platform-answers.ts';
import { NO_DETAILS, type Contact } from '../../src/vocabulary/contact.ts';
import { classify } from '../../src/detect/classify.ts';
import { parseMessage } from '../../src/mail/message.ts';
import { corpusDir } from '../support/corpus.ts';
import { CONTEXT } from './cases/support.ts';
import { MESSAGE_CASES, NOT_MESSAGE_CASES } from './messages/cases.ts';

describe('a platform notice of a message', () => {
  it.each(MESSAGE_CASES.map((entry) => [entry.name, entry] as const))('%s: is ignored, never a request, and says who wrote what', async (_name, entry) => {
    const result = classify(await parseMessage(await entry.build()), CONTEXT);
    expect(result.verdict).toBe('ignored');
    expect(result.replyTo).toBeNull();
    expect(result.platformMessage).toMatchObject({ platform: entry.platform, name: entry.sender, authentication: 'pass' });
    const text = result.platformMessage!.text;
    if (entry.says === null) expect(text).toBe('');
    else expect(text).toContain(entry.says);
    for (const words of entry.notSays ?? []) expect(text).not.toContain(words);
    if (entry.conversationUrl !== undefined) expect(result.platformMessage!.conversationUrl).toBe(entry.conversationUrl);
  });

  it.each(NOT_MESSAGE_CASES.map((entry) => [entry.name, entry] as const))('%s: is not read as a message', async (_name, entry) => {
    const result = classify(await parseMessage(await entry.build()), CONTEXT);
    expect(result.platformMessage ?? null).toBeNull();
  });

  it('the real InMail (corpus): the recruiter, the message without LinkedIn\'s lines, the thread and the reply relay', async () => {
    const raw = readFileSync(path.join(corpusDir(), 'negative', 'linkedin-inmail-2026-01-22-excerpt.eml'));
    // Its Authentication-Results were written by kundenserver.de: believed when that is the user's server.
    const result = classify(await parseMessage(raw), { ...CONTEXT, authservId: 'kundenserver.de', ownAddresses: ['paul@wellnerbou.de'] });
    expect(result.verdict).toBe('ignored');
    const notice = result.platformMessage!;
    expect(notice).toMatchObject({ platform: 'linkedin', name: 'Shira Fahrenberg', authentication: 'pass', relay: 'c15c178d-5301-4d85-81dc-bfcca1ed21ad@reply.linkedin.com' });
    expect(notice.text).toMatch(/^ich hoffe, du bist gut ins neue Jahr gestartet/);
    expect(notice.text).toContain('Sophora CMS');
    expect(notice.text).not.toContain('This email was intended');
    expect(notice.text).not.toContain('Reply');
    expect(notice.conversationUrl).toMatch(/^https:\/\/www\.linkedin\.com\/messaging\/thread\//);
  });

  it('a notice whose authentication failed says so; the relay is not kept', async () => {
    const entry = MESSAGE_CASES.find((each) => each.name.includes('InMail reply'))!;
    const raw = (await entry.build()).toString().replace(/dkim=pass/g, 'dkim=fail').replace(/dmarc=pass/g, 'dmarc=fail');
    const result = classify(await parseMessage(Buffer.from(raw)), CONTEXT);
    expect(result.platformMessage).toMatchObject({ authentication: 'fail', relay: null });
  });
});

describe('whose answer a notice is', () => {
  const person = (id: string, name: string, profileUrl: string | null, extra: Partial<Contact> = {}): Contact => ({
    ...NO_DETAILS,
    id,
    mailbox: 'primary',
    status: 'asked',
    channel: 'platform',
    platform: 'linkedin',
    name,
    firstName: name.split(' ')[0]!,
    email: null,
    profileUrl,
    headline: null,
    invitationId: null,
    subject: '',
    requestMessageId: null,
    scriptMessageId: null,
    answerText: null,
    reason: null,
    requestedAt: 0,
    askedAt: 0,
    deadlineAt: 1,
    answeredAt: null,
    updatedAt: 0,
    ...extra,
  });
  const notice = (name: string, profileUrl: string | null = null) => ({ platform: 'linkedin' as const, name, profileUrl });

  it('by the profile link, whatever the name says', () => {
    const jane = person('a', 'Jane Doe', 'https://www.linkedin.com/profile/view?id=AAsA1&authType=name&authToken=x');
    const match = matchNotice(notice('J. Doe', 'https://www.linkedin.com/profile/view?id=AAsA1'), [jane]);
    expect(match).toMatchObject({ kind: 'matched', contact: { id: 'a' } });
  });

  it('by the name only when exactly one waiting person has it (accents, case and order of "Doe, Jane" aside)', () => {
    const jane = person('a', 'Jane Doe', null);
    expect(matchNotice(notice('doe, jane'), [jane])).toMatchObject({ kind: 'matched', contact: { id: 'a' } });
    expect(matchNotice(notice('Jane Doe'), [jane, person('b', 'Jane Doe', null)])).toMatchObject({ kind: 'ambiguous' });
  });

  it('never someone who is not waiting on that platform: asked by mail, on another platform, answered, or a stranger', () => {
    const people = [person('a', 'Jane Doe', null, { channel: 'email' }), person('b', 'Jane Doe', null, { platform: 'xing' }), person('c', 'Jane Doe', null, { status: 'answered' })];
    expect(matchNotice(notice('Jane Doe'), people)).toEqual({ kind: 'none' });
    expect(matchNotice(notice('Kim Stranger'), [person('d', 'Jane Doe', null)])).toEqual({ kind: 'none' });
  });

  it('a person whose profile id differs from the notice\'s is someone else, even with the same name', () => {
    const jane = person('a', 'Jane Doe', 'https://www.linkedin.com/profile/view?id=AAsA1');
    expect(matchNotice(notice('Jane Doe', 'https://www.linkedin.com/profile/view?id=AAsB2'), [jane])).toEqual({ kind: 'none' });
    // A slug in the notice and an id on the person are two kinds of key: the name decides.
    expect(matchNotice(notice('Jane Doe', 'https://www.linkedin.com/in/jane-doe'), [jane])).toMatchObject({ kind: 'matched' });
  });

  it('a late answer, after the deadline passed, still counts', () => {
    expect(matchNotice(notice('Jane Doe'), [person('a', 'Jane Doe', null, { status: 'no_response' })])).toMatchObject({ kind: 'matched' });
  });
});
