import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, forbiddenAddressKind, type HostLookup } from '../../src/webhooks/address.ts';

/** A test's own DNS: names it knows, each with the addresses it answers. */
function namesResolvingTo(table: Record<string, string[]>): HostLookup {
  return async (host) => {
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error(`queryA ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

describe('where webhooks may go', () => {
  it('refuses loopback, private, link-local, unique-local, CGNAT, multicast and unspecified addresses, naming the kind', () => {
    const refused: Record<string, string> = {
      '127.0.0.1': 'a loopback address',
      '::1': 'a loopback address',
      '10.1.2.3': 'a private network address',
      '172.16.0.9': 'a private network address',
      '192.168.1.1': 'a private network address',
      '169.254.169.254': 'a link-local address',
      'fe80::1': 'a link-local address',
      'fd12:3456::1': 'a unique-local address',
      '100.64.0.1': 'a carrier-grade NAT address',
      '224.0.0.1': 'a multicast address',
      'ff02::1': 'a multicast address',
      '0.0.0.0': 'the unspecified address',
      '::': 'the unspecified address',
      // An IPv4 address written as IPv6 is what it is underneath.
      '::ffff:127.0.0.1': 'a loopback address',
      '::ffff:10.0.0.1': 'a private network address',
    };
    for (const [address, kind] of Object.entries(refused)) expect([address, forbiddenAddressKind(address)]).toEqual([address, kind]);
  });

  it('allows public unicast addresses', () => {
    for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111']) expect(forbiddenAddressKind(address)).toBeNull();
  });

  it('refuses a URL at a private address, and says why and how to allow it', async () => {
    const check = await checkWebhookUrl('http://127.0.0.1:8080/hook', { allowPrivate: false });
    expect(check).toEqual({ ok: false, unresolved: false, reason: '127.0.0.1 is a loopback address; webhooks go only to public addresses unless WEBHOOK_ALLOW_PRIVATE=true' });
    expect(await checkWebhookUrl('http://[::1]/hook', { allowPrivate: false })).toMatchObject({ ok: false, reason: expect.stringContaining('::1 is a loopback address') });
    expect(await checkWebhookUrl('http://127.0.0.1:8080/hook', { allowPrivate: true })).toMatchObject({ ok: true, addresses: ['127.0.0.1'] });
  });

  it('resolves the name first: localhost is refused for the loopback address it names', async () => {
    // The machine's own resolver (/etc/hosts): no test DNS here.
    const check = await checkWebhookUrl('http://localhost:9/hook', { allowPrivate: false });
    expect(check).toMatchObject({ ok: false, reason: expect.stringMatching(/^localhost resolves to (127\.0\.0\.1|::1), which is a loopback address/) });
  });

  it('refuses a name when any of its addresses is private, and allows a name with public addresses only', async () => {
    const lookup = namesResolvingTo({ 'crm.example.org': ['93.184.215.14'], 'mixed.example.org': ['93.184.215.14', '10.0.0.7'] });
    expect(await checkWebhookUrl('https://crm.example.org/hooks', { allowPrivate: false, lookup })).toMatchObject({ ok: true, addresses: ['93.184.215.14'] });
    expect(await checkWebhookUrl('https://mixed.example.org/hooks', { allowPrivate: false, lookup })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('mixed.example.org resolves to 10.0.0.7, which is a private network address'),
    });
  });

  it('tells a name that does not resolve apart from a refused one', async () => {
    const check = await checkWebhookUrl('https://nowhere.example.org/', { allowPrivate: false, lookup: namesResolvingTo({}) });
    expect(check).toEqual({ ok: false, unresolved: true, reason: 'nowhere.example.org could not be resolved (ENOTFOUND)' });
  });

  it('refuses what is not an http or https URL, and a URL with a password in it', async () => {
    expect(await checkWebhookUrl('ftp://crm.example.org/', { allowPrivate: true })).toMatchObject({ ok: false, reason: expect.stringContaining('must start with https:// or http://') });
    expect(await checkWebhookUrl('crm.example.org/hook', { allowPrivate: true })).toMatchObject({ ok: false, reason: expect.stringContaining('is not a web address') });
    expect(await checkWebhookUrl('https://user:pw@crm.example.org/', { allowPrivate: true })).toMatchObject({ ok: false, reason: expect.stringContaining('must not hold a user name or password') });
  });
});
