import { parseDocument } from 'htmlparser2';
import { findOne, textContent } from 'domutils';
import type { Element } from 'domhandler';
import { describe, expect, it } from 'vitest';
import { healthPage, type MailboxHealth } from '../../src/web/views/health.ts';

const mailbox: MailboxHealth = { known: true, connected: true, watched: true, connectedAt: 1_000_000, lastMailAt: 1_002_000, lastError: null, lastErrorAt: null };

/** The text of the Mailbox panel's row named `term`, or null when the panel has none. */
function row(page: string, term: string): string | null {
  const found = findOne((node: Element) => node.name === 'div' && node.children.some((child) => (child as Element).name === 'dt' && textContent(child).trim() === term), parseDocument(page).children, true);
  return found ? textContent(found.children.find((child) => (child as Element).name === 'dd')!).replace(/\s+/g, ' ').trim() : null;
}

function page(health: MailboxHealth): string {
  return healthPage({ session: null, assets: { css: '/app.css', icon: '/favicon.svg' } }, { mailbox: health, queues: [], queueError: null, skippedMail: 0 }).value;
}

describe('the health page during a backlog', () => {
  it('shows the figures `winnow backfill` shows: messages read of all, rate and time left', () => {
    const backlog = { total: 10_000, done: 4_200, bodies: 600, startedAt: 1_000_000, at: 1_002_000 };
    expect(row(page({ ...mailbox, backlog }), 'Backlog')).toMatch(/^4,200 of 10,000 messages \(42 %\) · 2,100 msg\/s · about 3 s left \(as of .+\)$/);
  });

  it('has no backlog row when the watcher never met one', () => {
    expect(row(page({ ...mailbox, backlog: null }), 'Backlog')).toBeNull();
    expect(row(page(mailbox), 'Last mail seen')).not.toBeNull();
  });
});
