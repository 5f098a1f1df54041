import { readFileSync } from 'node:fs';
import { classify } from '../src/detect/classify.ts';
import { PLATFORMS, type Classification, type Platform } from '../src/detect/types.ts';
import { parseMessage } from '../src/mail/message.ts';
import { CASES, CONTEXT } from '../test/detect/cases/index.ts';
import { realContext, realSamples } from '../test/detect/cases/real.ts';

/**
 * `npm run eval:detect`: precision and recall of request detection, per platform, over the test
 * corpus: every real sample of the shared corpus and every constructed case of test/detect/cases/.
 * A positive is a request of its platform; it counts as found only when classified as a request of
 * that same platform. Exits 1 if any negative would get a script (a reply address).
 */

interface Item {
  name: string;
  source: 'real' | 'constructed';
  platform: Platform;
  positive: boolean;
  result: Classification;
}

async function collect(): Promise<Item[]> {
  const items: Item[] = [];
  for (const sample of realSamples()) {
    const message = await parseMessage(readFileSync(sample.path));
    items.push({ name: `real: ${sample.folder}/${sample.file}`, source: 'real', platform: sample.platform, positive: sample.folder === 'positive', result: classify(message, realContext(message)) });
  }
  for (const entry of CASES) {
    const message = await parseMessage(await entry.build());
    items.push({ name: entry.name, source: 'constructed', platform: entry.platform, positive: entry.expect === 'request', result: classify(message, { ...CONTEXT, ...entry.context }) });
  }
  return items;
}

function ratio(numerator: number, denominator: number): string {
  return denominator === 0 ? '–' : (numerator / denominator).toFixed(3);
}

function row(cells: Array<string | number>, widths: number[]): string {
  return cells.map((cell, index) => (index === 0 ? String(cell).padEnd(widths[index] ?? 10) : String(cell).padStart(widths[index] ?? 8))).join('  ');
}

const started = performance.now();
const items = await collect();
const elapsed = performance.now() - started;

const widths = [10, 6, 6, 6, 5, 5, 5, 5, 9, 7];
const lines = [row(['platform', 'cases', 'pos', 'neg', 'TP', 'FN', 'FP', 'TN', 'precision', 'recall'], widths)];
const totals = { cases: 0, pos: 0, neg: 0, tp: 0, fn: 0, fp: 0, tn: 0 };
const misses: string[] = [];
for (const platform of PLATFORMS) {
  const own = items.filter((item) => item.platform === platform);
  const found = (item: Item) => item.result.verdict === 'connection_request' && item.result.platform === platform;
  const tp = own.filter((item) => item.positive && found(item)).length;
  const fn = own.filter((item) => item.positive && !found(item)).length;
  // A false positive of this platform: anything not a request of it, classified as one.
  const fp = items.filter((item) => found(item) && !(item.positive && item.platform === platform)).length;
  const tn = own.filter((item) => !item.positive && item.result.verdict !== 'connection_request').length;
  const pos = own.filter((item) => item.positive).length;
  const neg = own.length - pos;
  lines.push(row([platform, own.length, pos, neg, tp, fn, fp, tn, ratio(tp, tp + fp), ratio(tp, tp + fn)], widths));
  totals.cases += own.length;
  totals.pos += pos;
  totals.neg += neg;
  totals.tp += tp;
  totals.fn += fn;
  totals.fp += fp;
  totals.tn += tn;
  for (const item of own) {
    if (item.positive && !found(item)) misses.push(`missed     ${item.name}: ${item.result.verdict} ${item.result.platform ?? '-'} (${item.result.reason})`);
    if (!item.positive && item.result.verdict === 'connection_request') misses.push(`false hit  ${item.name}: ${item.result.platform ?? '-'} (${item.result.reason})`);
  }
}
lines.push(row(['all', totals.cases, totals.pos, totals.neg, totals.tp, totals.fn, totals.fp, totals.tn, ratio(totals.tp, totals.tp + totals.fp), ratio(totals.tp, totals.tp + totals.fn)], widths));

const replyLeaks = items.filter((item) => !item.positive && item.result.replyTo !== null);
const realCount = items.filter((item) => item.source === 'real').length;

console.log(`Request detection over ${items.length} messages (${realCount} real samples, ${items.length - realCount} constructed cases)\n`);
console.log(lines.join('\n'));
console.log(`\nNegatives that would get a script (a reply address): ${replyLeaks.length}`);
for (const item of replyLeaks) console.log(`  ${item.name}: ${item.result.replyTo ?? ''}`);
if (misses.length > 0) console.log(`\nMisclassified:\n  ${misses.join('\n  ')}`);
console.log(`\n${items.length} messages classified in ${Math.round(elapsed)} ms (building the constructed ones included).`);
process.exitCode = replyLeaks.length > 0 ? 1 : 0;
