import { readdirSync } from 'node:fs';
import path from 'node:path';
import { PLATFORMS, type Platform } from '../../../src/vocabulary/platforms.ts';
import type { ClassifyContext } from '../../../src/detect/types.ts';
import type { Message } from '../../../src/mail/message.ts';
import { corpusDir } from '../../support/corpus.ts';

/**
 * The real samples of the corpus (test/fixtures/corpus) (test/fixtures/corpus, or WINNOW_CORPUS), as test/detect/corpus.test.ts
 * and scripts/eval-detect.ts read them. The samples are used as they are: `positive/` holds requests,
 * `negative/` mail that must never be one. A file's platform is the prefix of its name
 * ("linkedin-invite-….eml"); mail of no platform counts as personal mail ('email').
 */
export interface RealSample {
  folder: 'positive' | 'negative';
  file: string;
  path: string;
  platform: Platform;
}

export function realSamples(dir = corpusDir()): RealSample[] {
  const samples: RealSample[] = [];
  for (const folder of ['positive', 'negative'] as const) {
    let names: string[] = [];
    try {
      names = readdirSync(path.join(dir, folder)).filter((name) => name.endsWith('.eml')).sort();
    } catch {
      // A missing folder is reported by the test that expects samples.
    }
    for (const file of names) {
      const prefix = file.split('-')[0] ?? '';
      const platform = (PLATFORMS as readonly string[]).includes(prefix) ? (prefix as Platform) : 'email';
      samples.push({ folder, file, path: path.join(dir, folder, file), platform });
    }
  }
  return samples;
}

/** The user is whoever the sample was addressed to, as it would be in their own inbox. */
export function realContext(message: Message): ClassifyContext {
  return {
    ownAddresses: message.to.map((entry) => entry.address).filter((address) => address !== ''),
    messageIdDomain: 'winnow.example.test',
    authservId: null,
    unverifiedMail: 'accept',
  };
}
