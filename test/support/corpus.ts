import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real mail samples the tests, the demo and the benchmarks use: copied into the repository
 * (test/fixtures/corpus, with SOURCES.md saying where each came from) so a plain clone runs
 * everything. WINNOW_CORPUS points elsewhere, e.g. at a folder of new samples to try.
 */
export function corpusDir(): string {
  if (process.env.WINNOW_CORPUS) return path.resolve(process.env.WINNOW_CORPUS);
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/corpus');
}
