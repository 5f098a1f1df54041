/**
 * The held-out evaluation set for the classifier. Every case is constructed (built with the
 * project's mail helpers, not a real sample) and was written without looking at the classifier's
 * rules, its own cases or its documentation, so that precision and recall measured on it mean
 * something. Keep it that way: do not tune the classifier against these cases, and do not edit a
 * case to make the classifier pass. Formats come from the real samples in test/fixtures/corpus, from
 * real headers and subjects found in public repositories, and otherwise from general knowledge of
 * what each platform sends; each file's header says which.
 */
import type { DetectionCase } from '../cases/support.ts';
import { HELDOUT_CASES as EMAIL_HELDOUT } from './email.ts';
import { HELDOUT_CASES as FACEBOOK_HELDOUT } from './facebook.ts';
import { HELDOUT_CASES as GITHUB_HELDOUT } from './github.ts';
import { HELDOUT_CASES as INSTAGRAM_HELDOUT } from './instagram.ts';
import { HELDOUT_CASES as LINKEDIN_HELDOUT } from './linkedin.ts';
import { HELDOUT_CASES as MEETUP_HELDOUT } from './meetup.ts';
import { HELDOUT_CASES as TWITTER_HELDOUT } from './twitter.ts';
import { HELDOUT_CASES as XING_HELDOUT } from './xing.ts';

export const HELDOUT_CASES: DetectionCase[] = [
  ...LINKEDIN_HELDOUT,
  ...FACEBOOK_HELDOUT,
  ...XING_HELDOUT,
  ...TWITTER_HELDOUT,
  ...INSTAGRAM_HELDOUT,
  ...GITHUB_HELDOUT,
  ...MEETUP_HELDOUT,
  ...EMAIL_HELDOUT,
];
