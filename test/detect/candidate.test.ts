import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bodyNeed, worthAJob } from '../../src/detect/candidate.ts';
import { classify } from '../../src/detect/classify.ts';
import type { ClassifyContext } from '../../src/detect/types.ts';
import { parseHeaders, parseMessage } from '../../src/mail/message.ts';
import { scriptMessageId } from '../../src/mail/message-id.ts';
import { buildMail } from '../support/mail.ts';
import { deliveryReport } from '../support/requests.ts';
import { CASES, CONTEXT } from './cases/index.ts';
import { realContext, realSamples } from './cases/real.ts';
import { HELDOUT_CASES } from './heldout/index.ts';
import { MESSAGE_CASES, NOT_MESSAGE_CASES } from './messages/cases.ts';

/**
 * The watcher reads only the header block of each new message and fetches the body where the
 * header block says it may matter (src/detect/candidate.ts). Whatever it skips must be mail the
 * inbound worker would have left alone whatever its body said: ignored as not written by a person
 * (a "suppressed" reason), never a request, an answer, a bounce or a platform's message notice.
 */

const ME = CONTEXT.ownAddresses[0]!;
const SECRET = 'candidate-test-secret';

interface Sample {
  name: string;
  raw: Buffer;
  context: ClassifyContext;
}

async function everySample(): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const testCase of [...CASES, ...HELDOUT_CASES]) samples.push({ name: testCase.name, raw: await testCase.build(), context: { ...CONTEXT, ...testCase.context } });
  for (const testCase of [...MESSAGE_CASES, ...NOT_MESSAGE_CASES]) samples.push({ name: testCase.name, raw: await testCase.build(), context: CONTEXT });
  for (const sample of realSamples()) {
    const raw = readFileSync(sample.path);
    samples.push({ name: `real: ${sample.file}`, raw, context: realContext(await parseMessage(raw)) });
  }
  return samples;
}

const newsletter = () =>
  buildMail({ from: { name: 'Shop', address: 'news@shop.example' }, to: ME, subject: 'This week only', text: "I'd like to connect with you on our new app!", headers: { 'List-Id': '<weekly.shop.example>', 'List-Unsubscribe': '<https://shop.example/u>' } });
const notification = () =>
  buildMail({ from: 'noreply@bank.example', to: ME, subject: 'Your statement is ready', text: 'Log in to read it.', headers: { 'Auto-Submitted': 'auto-generated' } });

describe('which new mail the watcher reads in full', () => {
  it('skips only mail whose full reading the worker would leave alone', async () => {
    const samples = await everySample();
    expect(samples.length).toBeGreaterThan(100);
    let skipped = 0;
    for (const sample of samples) {
      const need = bodyNeed(parseHeaders(sample.raw), sample.context, false);
      if (need.needed) continue;
      skipped += 1;
      const full = classify(await parseMessage(sample.raw), sample.context);
      expect.soft({ name: sample.name, verdict: full.verdict, suppressed: full.reason.startsWith('suppressed') || full.verdict === 'auto_reply', notice: full.platformMessage ?? null, answers: full.answersMessageId }).toEqual({
        name: sample.name,
        verdict: full.verdict === 'auto_reply' ? 'auto_reply' : 'ignored',
        suppressed: true,
        notice: null,
        answers: null,
      });
    }
    // The corpus is mostly platform mail and requests, which are always read; some is skipped.
    expect(skipped).toBeGreaterThan(0);
  });

  it('skips a newsletter and a robot notification, however their bodies read', async () => {
    expect(bodyNeed(parseHeaders(await newsletter()), CONTEXT, false)).toEqual({ needed: false, reason: 'suppressed: List-Id present' });
    expect(bodyNeed(parseHeaders(await notification()), CONTEXT, false)).toMatchObject({ needed: false });
  });

  it('reads list or robot mail from the address of a person here: it may be their answer or their out-of-office', async () => {
    expect(bodyNeed(parseHeaders(await newsletter()), CONTEXT, true)).toMatchObject({ needed: true });
  });

  it('reads a reply to a script of ours, a delivery report and mail a person may have written', async () => {
    const script = scriptMessageId('c-1', 1, CONTEXT.messageIdDomain, SECRET);
    const reply = await buildMail({ from: 'someone@else.example', to: ME, subject: 'Auto: Re: hello', inReplyTo: script, text: 'Away.', headers: { 'Auto-Submitted': 'auto-replied' } });
    expect(bodyNeed(parseHeaders(reply), CONTEXT, false)).toMatchObject({ needed: true, why: 'replies to a script of ours' });
    const bounce = deliveryReport(ME, 'gone@example.org', `<${script}>`, { action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 no such user' });
    expect(bodyNeed(parseHeaders(bounce), CONTEXT, false)).toMatchObject({ needed: true, why: 'looks like a delivery report' });
    const personal = await buildMail({ from: { name: 'Ana Lopes', address: 'ana@studio.example' }, to: ME, subject: 'hello', text: "I'd like to connect." });
    expect(bodyNeed(parseHeaders(personal), CONTEXT, false)).toMatchObject({ needed: true, why: 'may be a person writing' });
  });
});

/**
 * Of a backlog, the watcher also reads in full what the headers leave open and screens it: a job
 * only for what the inbound worker would act on (worthAJob), judged with no authentication checked.
 */
describe('which mail read in full the watcher hands to the worker', () => {
  const screened = (message: Awaited<ReturnType<typeof parseMessage>>, context: ClassifyContext) => classify(message, { ...context, unverifiedMail: 'accept', verification: null });

  it('keeps every request, answer, bounce and platform notice; what it drops is ignored whatever its authentication', async () => {
    let dropped = 0;
    for (const sample of await everySample()) {
      const message = await parseMessage(sample.raw);
      if (worthAJob(screened(message, sample.context), false)) continue;
      dropped += 1;
      // The worker's own reading, with the authentication the case gives: still nothing to act on.
      const full = classify(message, { ...sample.context, unverifiedMail: 'accept' });
      expect.soft({ name: sample.name, verdict: full.verdict, notice: full.platformMessage ?? null }).toEqual({ name: sample.name, verdict: 'ignored', notice: null });
    }
    expect(dropped).toBeGreaterThan(0);
  });

  it('drops a friend\'s mail that asks nothing, unless a person here wrote it', async () => {
    const friend = await parseMessage(await buildMail({ from: { name: 'Ana Lopes', address: 'ana@studio.example' }, to: ME, subject: 'Slides', text: 'Here are the slides from Tuesday, as promised.' }));
    expect(worthAJob(screened(friend, CONTEXT), false)).toBe(false);
    expect(worthAJob(screened(friend, CONTEXT), true)).toBe(true);
    const request = await parseMessage(await buildMail({ from: { name: 'Ana Lopes', address: 'ana@studio.example' }, to: ME, subject: 'hello', text: "Hi,\n\nI'd like to connect. I run a small design studio in Lisbon.\n\nAna" }));
    expect(worthAJob(screened(request, CONTEXT), false)).toBe(true);
  });

  it("drops list mail from a person here: no robot's mail is their answer", async () => {
    expect(worthAJob(screened(await parseMessage(await newsletter()), CONTEXT), true)).toBe(false);
  });
});
