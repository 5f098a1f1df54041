import { describe, expect, it } from 'vitest';
import type { Contact } from '../../src/vocabulary/contact.ts';
import { DEMO_PEOPLE, matchesExpectation, seedDemo } from '../../scripts/demo-seed.ts';
import { createLogger } from '../../src/log.ts';
import { RECEIVING_SERVER } from '../support/requests.ts';
import { useSandbox } from '../support/winnow.ts';

const suite = useSandbox(['demo-me']);

/** The person of the seed a contact is: by address, else (platform mail without one) by name. */
function personOf(contact: Contact) {
  return DEMO_PEOPLE.find((person) => (person.address ? person.address === contact.email : person.name === contact.name));
}

describe('the demo seed, played through real mail', () => {
  it('ends with every person where the demo says, covering every status, flag and platform it shows', async () => {
    const lines: string[] = [];
    // The demo's own log, in the demo's format; kept to show what went wrong if the test fails.
    const logger = createLogger('info', { format: 'pretty', destination: { write: (line: string) => lines.push(line) } });
    const winnow = await suite.winnow('demo-me', { roles: { worker: true, web: true }, deadline: '12s', logger, env: { AUTHSERV_ID: RECEIVING_SERVER } });
    const seed = seedDemo(suite.sandbox, winnow, { pace: 0 });
    await seed.finished;

    let contacts: Contact[] = [];
    const settled = () => DEMO_PEOPLE.every((person) => contacts.some((contact) => personOf(contact) === person && matchesExpectation(person, contact)));
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      contacts = (await winnow.store.list({ limit: 100 })).contacts;
      if (settled()) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const where = DEMO_PEOPLE.map((person) => {
      const contact = contacts.find((c) => personOf(c) === person);
      return { name: person.name, status: contact?.status ?? 'missing', flags: contact?.flags ?? [], expected: person.expect };
    });
    expect(settled(), `${JSON.stringify(where, null, 1)}\n${lines.join('')}`).toBe(true);
    expect(contacts).toHaveLength(DEMO_PEOPLE.length);

    const statuses = new Set(contacts.map((contact) => contact.status));
    for (const status of ['answered', 'declined', 'no_response', 'bounced', 'awaiting_address', 'skipped'] as const) expect(statuses).toContain(status);
    // Unverified mail waits for the user's approval, flagged, with the reason.
    const viktor = contacts.find((contact) => contact.name === 'Viktor Petrov')!;
    expect(viktor.status).toBe('awaiting_approval');
    expect(viktor.flags).toContain('unverified');
    const flags = new Set(contacts.flatMap((contact) => contact.flags));
    for (const flag of ['sales_pitch', 'hostile', 'very_short', 'open_networker'] as const) expect(flags).toContain(flag);
    expect(new Set(contacts.map((contact) => contact.platform))).toEqual(new Set(['email', 'linkedin', 'xing', 'facebook']));

    // The terminal tells the same story: one line per event.
    const count = (pattern: RegExp) => lines.filter((line) => pattern.test(line)).length;
    expect(count(/INFO: request from /)).toBe(DEMO_PEOPLE.length);
    expect(count(/INFO: answer from /)).toBe(DEMO_PEOPLE.filter((person) => person.answer).length);
    expect(count(/INFO: no response from Hannah Weiss .* within 12 seconds: deadline passed/)).toBe(1);
    expect(count(/INFO: script to Ravi Patel .* bounced: 5\.1\.1/)).toBe(1);
    const skipped = contacts.filter((contact) => contact.status === 'skipped').map((contact) => contact.reason);
    expect(skipped).toEqual(expect.arrayContaining([expect.stringMatching(/^known: /), expect.stringMatching(/^blocked: /)]));
  }, 90_000);
});
