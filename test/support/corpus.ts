import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared corpus of real mail samples: beside the checkout, or where WINNOW_CORPUS says. */
export function corpusDir(): string {
  if (process.env.WINNOW_CORPUS) return path.resolve(process.env.WINNOW_CORPUS);
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  return path.resolve(root, '../shared/corpus');
}
