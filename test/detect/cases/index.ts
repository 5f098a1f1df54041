import { EMAIL_CASES } from './email.ts';
import { FACEBOOK_CASES } from './facebook.ts';
import { GITHUB_CASES } from './github.ts';
import { INSTAGRAM_CASES } from './instagram.ts';
import { LINKEDIN_CASES } from './linkedin.ts';
import { MEETUP_CASES } from './meetup.ts';
import type { DetectionCase } from './support.ts';
import { TWITTER_CASES } from './twitter.ts';
import { XING_CASES } from './xing.ts';

/**
 * Every constructed detection case, in one place for test/detect/corpus.test.ts and
 * scripts/eval-detect.ts. Real samples from the corpus (test/fixtures/corpus) are added by those two.
 */
export const CASES: readonly DetectionCase[] = [
  ...LINKEDIN_CASES,
  ...FACEBOOK_CASES,
  ...XING_CASES,
  ...TWITTER_CASES,
  ...INSTAGRAM_CASES,
  ...GITHUB_CASES,
  ...MEETUP_CASES,
  ...EMAIL_CASES,
];

export { CONTEXT, type DetectionCase } from './support.ts';
