import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/detect/classify.ts';
import type { ClassifyContext } from '../../src/detect/types.ts';
import { parseMessage } from '../../src/mail/message.ts';
import { corpusDir } from '../support/corpus.ts';

/**
 * Every real sample in the shared corpus (WINNOW_CORPUS overrides where it lives). The samples
 * are used as they are; a new file is picked up without touching this test: positives must be
 * requests, negatives must never be, and `autoreply-*` / `bounce-*` must be recognised as such.
 */

const corpus = corpusDir();

function samples(folder: 'positive' | 'negative'): string[] {
  try {
    return readdirSync(path.join(corpus, folder))
      .filter((name) => name.endsWith('.eml'))
      .sort();
  } catch {
    return [];
  }
}

/** What each known positive must yield; a positive not listed here gets the generic checks only. */
const POSITIVES: Record<string, { name: string; firstName: string; invitationId: string; headline: string }> = {
  'linkedin-invite-2016-04-04.eml': {
    name: 'Steven Footle',
    firstName: 'Steven',
    invitationId: '6122153757099996400',
    headline: 'Principal Test Architect and Agile Leader - Certified ScrumMaster',
  },
  'linkedin-invite-2016-05-02.eml': {
    name: 'Michael McAuliffe',
    firstName: 'Michael',
    invitationId: '6132985418842456064',
    headline: 'Managing Director',
  },
};

/** Samples sent by a service's robot (as opposed to a person), by file-name prefix. */
const ROBOT_SAMPLE = /^(?:github|hipchat|jira|linkedin|reddit|facebook|twitter|xing|slack|google)-/;

const BOUNCED_RECIPIENTS: Record<string, string> = {
  'bounce-gmail.eml': 'userunknown@example.jp',
  'bounce-facebook.eml': 'kijitora@facebook.com',
};

/** The user is whoever the sample was addressed to, as it would be in their own inbox. */
async function read(folder: string, file: string) {
  const message = await parseMessage(readFileSync(path.join(corpus, folder, file)));
  const context: ClassifyContext = {
    ownAddresses: message.to.map((entry) => entry.address).filter((address) => address !== ''),
    messageIdDomain: 'winnow.example.test',
    authservId: null,
    unverifiedMail: 'accept',
  };
  return { message, context, result: classify(message, context) };
}

describe(`the corpus at ${corpus}`, () => {
  it('is there, with positives and negatives', () => {
    expect(samples('positive').length).toBeGreaterThan(0);
    expect(samples('negative').length).toBeGreaterThan(0);
  });
});

describe.each(samples('positive'))('positive sample %s', (file) => {
  it('is a connection request with the inviter named', async () => {
    const { message, result } = await read('positive', file);
    expect(result.verdict).toBe('connection_request');
    expect(result.requester?.name).toBeTruthy();
    expect(result.requester?.firstName).toBeTruthy();
    // 2016-format mail comes from LinkedIn and holds no address of the person.
    if (message.from?.address.endsWith('linkedin.com')) {
      expect(result.replyTo).toBeNull();
      expect(result.requester?.email).toBeNull();
      expect(result.requester?.invitationId).toBeTruthy();
    }
  });

  if (file in POSITIVES) it('yields the known name, invitation id, headline and profile', async () => {
    const expected = POSITIVES[file]!;
    const { result } = await read('positive', file);
    expect(result).toMatchObject({
      verdict: 'connection_request',
      platform: 'linkedin',
      replyTo: null,
      reason: 'LinkedIn invitation (2016 format)',
      requester: { ...expected, email: null },
    });
    const profile = new URL(result.requester?.profileUrl ?? 'missing:');
    expect(profile.hostname).toBe('www.linkedin.com');
    // Tracking parameters are gone; the id that opens the profile stays.
    expect(profile.searchParams.get('id')).toBeTruthy();
    expect([...profile.searchParams.keys()].some((key) => /^(?:trk|trkEmail|midToken|lipi)$/.test(key))).toBe(false);
  });
});

describe.each(samples('negative'))('negative sample %s', (file) => {
  it('is not a connection request and names no one to write to', async () => {
    const { result } = await read('negative', file);
    expect(result.verdict).not.toBe('connection_request');
    expect(result.replyTo).toBeNull();
    expect(result.requester).toBeNull();
    expect(result.reason).not.toBe('');
  });

  if (file.startsWith('autoreply-')) it('is an auto-reply', async () => {
    const { result } = await read('negative', file);
    expect(result.verdict).toBe('auto_reply');
  });

  if (file.startsWith('bounce-')) it('is a bounce, naming the failed recipient', async () => {
    const { result } = await read('negative', file);
    expect(result.verdict).toBe('bounce');
    if (file in BOUNCED_RECIPIENTS) expect(result.bouncedRecipient).toBe(BOUNCED_RECIPIENTS[file]);
  });

  if (file.startsWith('linkedin-')) it('is LinkedIn mail recognised as not an invitation', async () => {
    const { result } = await read('negative', file);
    expect(result.verdict).toBe('ignored');
    expect(result.reason).toMatch(/^suppressed: LinkedIn/);
  });

  // Notifications must carry a "suppressed" reason: the inbound worker never takes those for an answer.
  if (ROBOT_SAMPLE.test(file)) it('is ignored as robot mail, so it is never taken for an answer', async () => {
    const { result } = await read('negative', file);
    expect(result.verdict).toBe('ignored');
    expect(result.reason).toMatch(/^suppressed: /);
  });
});
