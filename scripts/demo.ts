/**
 * npm run demo: Winnow on its embedded defaults, with nothing to configure.
 *
 * Starts a private Redis, a private Dovecot IMAP server and an SMTP peer (the same sandbox the
 * tests use), runs Winnow's worker and dashboard against them, and delivers a few requests so the
 * dashboard has something to show. Stop it with Ctrl-C; it leaves nothing behind.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildMail } from '../test/support/mail.ts';
import { oldLinkedInInvitation } from '../test/support/requests.ts';
import { corpusDir } from '../test/support/corpus.ts';
import { startSandbox } from '../test/support/sandbox.ts';
import { startWinnow } from '../test/support/winnow.ts';

const port = Number(process.env.PORT ?? 3000);
const RECEIVING_SERVER = 'mx.example.test';

/**
 * The Authentication-Results header a receiving server puts on top of a mail it checked: DKIM
 * passing for the signer's domain, DMARC for the From's. What Winnow believes when AUTHSERV_ID
 * names that server.
 */
function checkedBy(signer: string, fromDomain = signer): string {
  return `${RECEIVING_SERVER}; dkim=pass header.d=${signer}; spf=pass smtp.mailfrom=${signer}; dmarc=pass header.from=${fromDomain}`;
}

/** A raw mail as the receiving server stores it: its verdict added on top. */
function received(raw: Buffer, signer: string, fromDomain = signer): Buffer {
  return Buffer.concat([Buffer.from(`Authentication-Results: ${checkedBy(signer, fromDomain)}\r\n`), raw]);
}
const sandbox = await startSandbox({ users: ['me', 'alice', 'bob'] });
const winnow = await startWinnow(sandbox, {
  user: 'me',
  roles: { worker: true, web: true },
  deadline: process.env.RESPONSE_DEADLINE ?? '2m',
  // The sandbox's Dovecot plays the user's receiving server; the mail below carries its verdicts.
  env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', PORT: String(port), AUTHSERV_ID: RECEIVING_SERVER },
});
await winnow.runtime.app!.listen({ port, host: '127.0.0.1' });

const me = winnow.user.address;
const alice = sandbox.user('alice');
const bob = sandbox.user('bob');

// Two people ask by email; one LinkedIn invitation (a real sample) has no address of the person.
await sandbox.deliver(
  me,
  await buildMail({
    from: { name: 'Alice Asker', address: alice.address },
    to: me,
    subject: "Let's connect",
    headers: { 'Authentication-Results': checkedBy('example.test') },
    text: "Hi Morgan,\n\nI'd like to connect with you; I saw your talk on timber construction.\n\nAlice",
  }),
);
await sandbox.deliver(me, received(await oldLinkedInInvitation({ name: 'Bob Builder', address: bob.address }, me, '<demo-bob@linkedin.example>'), 'linkedin.com', 'example.test'));
const sample = path.join(corpusDir(), 'positive/linkedin-invite-2016-05-02.eml');
await sandbox.deliver(me, received(await readFile(sample), 'linkedin.com')).catch(() => undefined);

// Alice answers her script, as a correspondent would.
const script = await sandbox.smtp.waitFor((mail) => mail.recipients.includes(alice.address));
await sandbox.deliver(
  me,
  await buildMail({
    from: { name: 'Alice Asker', address: alice.address },
    to: me,
    subject: 'Re: Thanks for reaching out',
    headers: { 'Authentication-Results': checkedBy('example.test') },
    inReplyTo: script.messageId!,
    references: [script.messageId!],
    text: 'I run a small architecture practice and we look for engineers who know timber; we could refer clients to each other.',
  }),
);

console.log(`
Winnow is running on its embedded defaults.
  Dashboard: http://127.0.0.1:${port}/   password: ${winnow.config.web.dashboardPassword}
  API:       curl -H 'Authorization: Bearer ${winnow.config.web.apiToken}' http://127.0.0.1:${port}/api/contacts
  IMAP:      127.0.0.1:${sandbox.imap.port}  user ${me}  password ${winnow.user.pass}  (deliver more mail here)
Bob's script is waiting for an answer (deadline ${process.env.RESPONSE_DEADLINE ?? '2m'}). Press Ctrl-C to stop.`);

const stop = async () => {
  await winnow.stop();
  await sandbox.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
