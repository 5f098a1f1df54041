import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import type { DnsResolver } from '../../src/mail/verify.ts';

/**
 * The DNS of the tests' world, and its senders' signing servers: every domain publishes one test
 * key under the selector below, so any test can sign mail as the domain it writes from (as Gmail,
 * Outlook or LinkedIn sign theirs), with mailauth's own signer; Winnow checks the signatures with
 * the resolver below, through the runtime (no network). Mail that is not signed here is what an
 * outsider would send: unsigned, or signed with a key that is not the domain's.
 */
export const TEST_SELECTOR = 'winnow-test';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC_KEY = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

/** A key no domain publishes: what a forger signs with. */
const forger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/**
 * DMARC records of the test world: the sandbox's domain asks receivers to reject what fails, as
 * most mail providers do. linkedin.com publishes none here, so that unsigned mail in its name
 * reads as "could not be verified" rather than as a DMARC failure, the harder case.
 */
const DMARC: Record<string, string> = { 'example.test': 'v=DMARC1; p=reject', 'example.org': 'v=DMARC1; p=none' };

function absent(name: string): Error {
  return Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
}

/** Answers DKIM key and DMARC questions as the test world's DNS; extra TXT records may be given by name. */
export function testResolver(extra: Record<string, string> = {}): DnsResolver {
  return async (name, type) => {
    const lower = name.toLowerCase().replace(/\.$/, '');
    if (type !== 'TXT') throw absent(lower);
    if (lower in extra) return [[extra[lower]!]];
    if (lower.startsWith(`${TEST_SELECTOR}._domainkey.`)) return [[`v=DKIM1; k=rsa; p=${PUBLIC_KEY}`]];
    const dmarc = lower.startsWith('_dmarc.') ? DMARC[lower.slice('_dmarc.'.length)] : undefined;
    if (dmarc) return [[dmarc]];
    throw absent(lower);
  };
}

/** The domain of the From header of a raw mail. */
function fromDomain(raw: Buffer): string {
  const head = raw.toString('utf8', 0, Math.min(raw.length, 64 * 1024)).split(/\r?\n\r?\n/, 1)[0] ?? '';
  const from = /^from:(.*(?:\r?\n[ \t].*)*)/im.exec(head)?.[1] ?? '';
  const address = /<([^<>@\s]+@[^<>\s]+)>|([^\s<>"@]+@[^\s<>",;]+)/.exec(from);
  return (address?.[1] ?? address?.[2] ?? '').replace(/^.*@/, '').toLowerCase();
}

/**
 * Signs a raw mail with DKIM as `domain` (default: its From domain) would: a DKIM-Signature on top.
 * `forged: true` signs with a key the domain does not publish, so the signature fails.
 */
export async function signMail(raw: Buffer, options: { domain?: string; forged?: boolean } = {}): Promise<Buffer> {
  const signingDomain = options.domain ?? fromDomain(raw);
  if (!signingDomain) throw new Error('signMail: the mail has no From domain to sign as');
  const key = { signingDomain, selector: TEST_SELECTOR, privateKey: options.forged ? forger : PRIVATE_KEY };
  // The signer reads the keys from signatureData; its type also asks for them at the top.
  const result = await dkimSign(raw, { canonicalization: 'relaxed/relaxed', ...key, signatureData: [key] });
  if (result.signatures === '') throw new Error('signMail: mailauth made no signature');
  if (result.errors.length > 0) throw new Error(`signMail: ${JSON.stringify(result.errors)}`);
  return Buffer.concat([Buffer.from(result.signatures), raw]);
}
