import type { Bucket, SeriesPoint } from '../../contacts/stats.ts';
import { html, type Html } from '../html.ts';
import { formatCount, formatDay, formatMonth, formatShortDay } from './format.ts';

/**
 * Requests and answers over time as an SVG drawn on the server: no script, no library, and no
 * style attribute (the CSP forbids inline styles), so colours come from classes in app.css.
 * Screen readers get a title and a summary; every bar has its own title (also a tooltip); the
 * figures are in a table below the chart for those who prefer numbers.
 */

const WIDTH = 720;
const HEIGHT = 264;
// Room below the axis and at the left for labels twice the desktop size: on a phone the drawing
// shrinks to half its width, and app.css doubles its text there so it stays readable (about 12 px)
// and leaves out the axis title under the days (the table below the chart names them too).
const MARGIN = { top: 14, right: 14, bottom: 50, left: 60 };

/** 1, 2, 5, 10, 20, 50…: a round top for the axis at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}

function bucketLabel(start: number, bucket: Bucket): string {
  if (bucket === 'month') return formatMonth(start);
  if (bucket === 'week') return `week of ${formatDay(start)}`;
  return formatDay(start);
}

function axisLabel(start: number, bucket: Bucket): string {
  return bucket === 'month' ? formatMonth(start) : formatShortDay(start);
}

const BUCKET_WORDS: Record<Bucket, string> = { day: 'Day (UTC)', week: 'Week (UTC, from Monday)', month: 'Month (UTC)' };

export function requestsChart(points: SeriesPoint[], bucket: Bucket, id = 'chart'): Html {
  const totalRequests = points.reduce((sum, p) => sum + p.requests, 0);
  const totalAnswers = points.reduce((sum, p) => sum + p.answers, 0);
  const top = niceMax(Math.max(0, ...points.map((p) => Math.max(p.requests, p.answers))));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = points.length > 0 ? plotWidth / points.length : plotWidth;
  // Two bars per slot with a gap; thin bars still get at least one pixel.
  const bar = Math.max(1, (slot * 0.8) / 2);
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const round = (n: number) => Math.round(n * 10) / 10;

  const ticks = [0, top / 4, top / 2, (3 * top) / 4, top];
  const grid = ticks.map(
    (tick) => html`<g class="chart-tick"><line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${round(y(tick))}" y2="${round(y(tick))}"></line><text x="${MARGIN.left - 6}" y="${round(y(tick))}" text-anchor="end" dominant-baseline="middle">${formatCount(tick)}</text></g>`,
  );

  // Labels for the first, the last and a few between, so they never overlap.
  const labelEvery = Math.max(1, Math.ceil(points.length / 6));
  const labelled = new Set<number>();
  for (let i = 0; i < points.length; i += labelEvery) labelled.add(i);
  const lastIndex = points.length - 1;
  if (lastIndex > 0 && !labelled.has(lastIndex)) {
    // The last label would crowd the one before it: that one gives way.
    const previous = lastIndex - (lastIndex % labelEvery);
    if (lastIndex - previous < labelEvery / 2) labelled.delete(previous);
    labelled.add(lastIndex);
  }
  // The first label starts at its bar and the last ends at its bar, so neither leaves the drawing
  // nor meets the tick labels; every other label between is "minor", left out on a phone (app.css).
  const order = [...labelled].sort((a, b) => a - b);
  const xLabels = order.map((i, n) => {
    const point = points[i]!;
    const first = n === 0;
    const last = n === order.length - 1 && n > 0;
    const x = first ? MARGIN.left + slot * i : last ? MARGIN.left + slot * (i + 1) : MARGIN.left + slot * i + slot / 2;
    const minor = !first && !last && n % 2 === 1;
    return html`<text class="chart-x-label${minor ? ' minor' : ''}" x="${round(x)}" y="${HEIGHT - MARGIN.bottom + 6}" text-anchor="${first ? 'start' : last ? 'end' : 'middle'}" dominant-baseline="hanging">${axisLabel(point.start, bucket)}</text>`;
  });

  const bars = points.map((point, i) => {
    const x = MARGIN.left + slot * i + slot * 0.1;
    const label = bucketLabel(point.start, bucket);
    return html`<g>
<rect class="chart-requests" x="${round(x)}" y="${round(y(point.requests))}" width="${round(bar)}" height="${round(y(0) - y(point.requests))}"><title>${label}: ${formatCount(point.requests)} ${point.requests === 1 ? 'request' : 'requests'}</title></rect>
<rect class="chart-answers" x="${round(x + bar)}" y="${round(y(point.answers))}" width="${round(bar)}" height="${round(y(0) - y(point.answers))}"><title>${label}: ${formatCount(point.answers)} ${point.answers === 1 ? 'answer' : 'answers'}</title></rect>
</g>`;
  });

  const first = points[0];
  const last = points.at(-1);
  const span = first && last ? `${bucketLabel(first.start, bucket)} to ${bucketLabel(last.start, bucket)}` : 'no period';
  const summary = `${formatCount(totalRequests)} requests and ${formatCount(totalAnswers)} answers per ${bucket}, ${span}. The busiest ${bucket} had ${formatCount(Math.max(0, ...points.map((p) => p.requests)))} requests.`;

  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${id}-title ${id}-desc" preserveAspectRatio="xMidYMid meet">
<title id="${id}-title">Requests and answers per ${bucket}</title>
<desc id="${id}-desc">${summary}</desc>
${grid}
<line class="chart-axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${round(y(0))}" y2="${round(y(0))}"></line>
${bars}
${xLabels}
<text class="chart-axis-title chart-x-title" x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 4}" text-anchor="middle">${BUCKET_WORDS[bucket]}</text>
<text class="chart-axis-title" x="16" y="${MARGIN.top + plotHeight / 2}" text-anchor="middle" dominant-baseline="middle" transform="rotate(-90 16 ${MARGIN.top + plotHeight / 2})">People</text>
</svg>
<figcaption>
  <ul class="legend">
    <li><span class="swatch chart-requests" aria-hidden="true"></span> Requests (${formatCount(totalRequests)})</li>
    <li><span class="swatch chart-answers" aria-hidden="true"></span> Answers (${formatCount(totalAnswers)})</li>
  </ul>
</figcaption>
</figure>
<details class="chart-table">
<summary>The figures as a table</summary>
<div class="table-wrap">
<table>
  <caption class="visually-hidden">Requests and answers per ${bucket}</caption>
  <thead><tr><th scope="col">${BUCKET_WORDS[bucket]}</th><th scope="col">Requests</th><th scope="col">Answers</th></tr></thead>
  <tbody>
    ${points.map((point) => html`<tr><th scope="row">${bucketLabel(point.start, bucket)}</th><td>${formatCount(point.requests)}</td><td>${formatCount(point.answers)}</td></tr>`)}
  </tbody>
</table>
</div>
</details>`;
}
