import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/detect/classify.ts';
import { PLATFORM_RULES } from '../../src/detect/platforms/index.ts';
import { PERSONAL } from '../../src/detect/platforms/email.ts';
import type { Classification } from '../../src/detect/types.ts';
import type { Language } from '../../src/vocabulary/contact.ts';
import type { Platform } from '../../src/vocabulary/platforms.ts';
import { parseMessage } from '../../src/mail/message.ts';
import { corpusDir } from '../support/corpus.ts';
import { CASES, CONTEXT, type DetectionCase } from './cases/index.ts';
import { realContext, realSamples } from './cases/real.ts';
import { HELDOUT_CASES } from './heldout/index.ts';

/**
 * The detection corpus, table-driven: every real sample of the corpus (test/fixtures/corpus) (used as they are;
 * a new file is picked up without touching this test) and every constructed case of
 * test/detect/cases/ (each named "constructed: …"), which cover every platform in every language
 * its rules support. `npm run eval:detect` measures precision and recall over the same set.
 */

const real = realSamples();

async function classifyCase(testCase: DetectionCase): Promise<Classification> {
  return classify(await parseMessage(await testCase.build()), { ...CONTEXT, ...testCase.context });
}

describe(`the real samples in ${corpusDir()}`, () => {
  it('are there, with positives and negatives', () => {
    expect(real.filter((sample) => sample.folder === 'positive').length).toBeGreaterThan(0);
    expect(real.filter((sample) => sample.folder === 'negative').length).toBeGreaterThan(0);
  });
});

/** What each known positive must yield; a positive not listed here gets the generic checks only. */
const POSITIVES: Record<string, { name: string; firstName: string; invitationId: string; headline: string; hasPhoto: boolean }> = {
  'linkedin-invite-2016-04-04.eml': {
    name: 'Steven Footle',
    firstName: 'Steven',
    invitationId: '6122153757099996400',
    headline: 'Principal Test Architect and Agile Leader - Certified ScrumMaster',
    hasPhoto: true,
  },
  'linkedin-invite-2016-05-02.eml': {
    name: 'Michael McAuliffe',
    firstName: 'Michael',
    invitationId: '6132985418842456064',
    headline: 'Managing Director',
    hasPhoto: true,
  },
};

const BOUNCED_RECIPIENTS: Record<string, string> = {
  'bounce-gmail.eml': 'userunknown@example.jp',
  'bounce-facebook.eml': 'kijitora@facebook.com',
};

/** Samples sent by a service's robot (as opposed to a person), by file-name prefix. */
const ROBOT_SAMPLE = /^(?:github|hipchat|jira|linkedin|reddit|facebook|twitter|xing|slack|google|instagram|meetup)-/;

async function readReal(file: string) {
  const sample = real.find((entry) => entry.file === file);
  if (!sample) throw new Error(`no sample ${file}`);
  const message = await parseMessage(readFileSync(sample.path));
  return { sample, message, result: classify(message, realContext(message)) };
}

describe.each(real.filter((sample) => sample.folder === 'positive').map((sample) => sample.file))('real positive %s', (file) => {
  it('is a connection request of its platform, with the requester named', async () => {
    const { sample, message, result } = await readReal(file);
    expect(result.verdict).toBe('connection_request');
    expect(result.platform).toBe(sample.platform);
    expect(result.requester?.name).toBeTruthy();
    expect(result.requester?.firstName).toBeTruthy();
    // No Authentication-Results of the user's server can be checked in a sample: flagged, not dropped.
    expect(result.flags).toContain('unverified');
    // 2016-format mail comes from LinkedIn and holds no address of the person.
    if (message.from?.address.endsWith('linkedin.com')) {
      expect(result.replyTo).toBeNull();
      expect(result.requester?.email).toBeNull();
      expect(result.requester?.invitationId).toBeTruthy();
    }
  });

  if (file in POSITIVES) {
    it('yields the known name, invitation id, headline, photo and a clean profile link', async () => {
      const expected = POSITIVES[file]!;
      const { result } = await readReal(file);
      expect(result).toMatchObject({
        verdict: 'connection_request',
        platform: 'linkedin',
        replyTo: null,
        reason: 'LinkedIn invitation (2016 format)',
        language: 'en',
        requester: { ...expected, email: null, note: null },
      });
      const profile = new URL(result.requester?.profileUrl ?? 'missing:');
      expect(profile.hostname).toBe('www.linkedin.com');
      // Tracking parameters are gone; the id that opens the profile stays.
      expect(profile.searchParams.get('id')).toBeTruthy();
      expect([...profile.searchParams.keys()].some((key) => /^(?:trk|trkEmail|midToken|lipi|invAcpt)$/.test(key))).toBe(false);
    });
  }
});

describe.each(real.filter((sample) => sample.folder === 'negative').map((sample) => sample.file))('real negative %s', (file) => {
  it('is not a connection request and names no one to write to', async () => {
    const { result } = await readReal(file);
    expect(result.verdict).not.toBe('connection_request');
    expect(result.replyTo).toBeNull();
    expect(result.requester).toBeNull();
    expect(result.reason).not.toBe('');
    expect(result.explanation.length).toBeGreaterThan(0);
  });

  if (file.startsWith('autoreply-')) {
    it('is an auto-reply', async () => {
      const { result } = await readReal(file);
      expect(result.verdict).toBe('auto_reply');
    });
  }

  if (file.startsWith('bounce-')) {
    it('is a bounce, naming the failed recipient', async () => {
      const { result } = await readReal(file);
      expect(result.verdict).toBe('bounce');
      expect(result.bounce).not.toBeNull();
      if (file in BOUNCED_RECIPIENTS) expect(result.bouncedRecipient).toBe(BOUNCED_RECIPIENTS[file]);
    });
  }

  if (file.startsWith('linkedin-')) {
    it('is LinkedIn mail recognised as not an invitation', async () => {
      const { result } = await readReal(file);
      expect(result.verdict).toBe('ignored');
      expect(result.reason).toMatch(/^suppressed: LinkedIn/);
    });
  }

  // Notifications must be suppressed: the inbound worker never takes those for an answer.
  if (ROBOT_SAMPLE.test(file)) {
    it('is ignored as robot mail, so it is never taken for an answer', async () => {
      const { result } = await readReal(file);
      expect(result.verdict).toBe('ignored');
      expect(result.suppressed).toBe(true);
      expect(result.reason).toMatch(/^suppressed: /);
    });
  }

  it('is suppressed exactly when its reason says so to the user', async () => {
    const { result } = await readReal(file);
    expect(result.suppressed).toBe(result.reason.startsWith('suppressed: '));
  });
});

describe('the constructed cases', () => {
  it('cover every platform in every language its rules support, with requests and look-alikes in each', () => {
    const supported: Array<[Platform, readonly Language[]]> = [
      ...PLATFORM_RULES.map((rules): [Platform, readonly Language[]] => [rules.platform, rules.languages]),
      ['email', Object.keys(PERSONAL) as Language[]],
    ];
    for (const [platform, languages] of supported) {
      for (const language of languages) {
        const cases = CASES.filter((entry) => entry.platform === platform && entry.language === language);
        expect(cases.filter((entry) => entry.expect === 'request').length, `${platform} × ${language} requests`).toBeGreaterThan(0);
        expect(cases.filter((entry) => entry.expect === 'not-request').length, `${platform} × ${language} look-alikes`).toBeGreaterThan(0);
      }
    }
  });

  it('all say they are constructed', () => {
    for (const entry of CASES) expect(entry.name).toMatch(/^constructed: /);
  });
});

describe.each(CASES.filter((entry) => entry.expect === 'request').map((entry) => [entry.name, entry] as const))('%s', (_name, testCase) => {
  it(`is ${testCase.platform === 'email' ? 'a personal request' : `a ${testCase.platform} request`} with the expected details`, async () => {
    const result = await classifyCase(testCase);
    expect(result.verdict).toBe('connection_request');
    expect(result.platform).toBe(testCase.platform);
    expect(result.requester).toMatchObject(testCase.requester ?? {});
    expect(result.replyTo).toBe(testCase.replyTo ?? null);
    expect(result.requester?.email).toBe(testCase.replyTo ?? null);
    if (testCase.flags) expect([...result.flags].sort()).toEqual([...testCase.flags].sort());
    if (testCase.language) expect(result.language).toBe(testCase.language);
    if (testCase.reason) expect(result.reason).toMatch(testCase.reason);
    expect(result.explanation.length).toBeGreaterThan(0);
  });
});

describe.each(CASES.filter((entry) => entry.expect === 'not-request').map((entry) => [entry.name, entry] as const))('%s', (_name, testCase) => {
  it('is not a request and yields no address to write to', async () => {
    const result = await classifyCase(testCase);
    expect(result.verdict).not.toBe('connection_request');
    expect(result.replyTo).toBeNull();
    expect(result.requester).toBeNull();
    if (testCase.reason) expect(result.reason).toMatch(testCase.reason);
  });
});

// The held-out cases measure recall in `npm run eval:detect` and are never tuned for; what must
// hold for them too is the one promise that matters most: no negative gets a script.
describe.each(HELDOUT_CASES.filter((entry) => entry.expect === 'not-request').map((entry) => [entry.name, entry] as const))('%s', (_name, testCase) => {
  it('yields no address to write to', async () => {
    const result = await classifyCase(testCase);
    expect(result.replyTo).toBeNull();
    expect(result.verdict).not.toBe('connection_request');
  });
});
