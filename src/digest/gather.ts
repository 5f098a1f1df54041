import { PROVIDER_LABELS } from '../mailboxes/oauth-providers.ts';
import type { ContactStore } from '../contacts/store.ts';
import type { MailboxStore } from '../mailboxes/records.ts';
import type { Contact, Status } from '../vocabulary/contact.ts';
import { personVariables } from '../script/render.ts';
import type { TemplateStore } from '../script/store.ts';
import { localDay } from '../settings/send-window.ts';
import type { Settings } from '../settings/settings.ts';
import { loadTemplateFolder } from '../script/template.ts';
import { buildDigest, DIGEST_VOCABULARY, MAX_DIGEST_VALUE, MAX_ITEMS, type DigestMail, type DigestPerson, type DigestTemplate } from './digest.ts';

let defaultTemplate: Promise<DigestTemplate> | undefined;

/** The digest template from templates/digest, read and compiled once per process. */
export function defaultDigestTemplate(): Promise<DigestTemplate> {
  defaultTemplate ??= loadTemplateFolder('digest', DIGEST_VOCABULARY, { maxValueLength: MAX_DIGEST_VALUE });
  return defaultTemplate;
}

/**
 * Reads what needs the user from the store and writes the digest: people to send the script to on
 * a platform (with the script in force rendered for each), people asked by mail who wait for an
 * address, answers to decide, scripts to approve.
 * Used by the workers to send it and by the settings page to preview it.
 */
export async function composeDigest(
  deps: { store: ContactStore; templates: Pick<TemplateStore, 'current'>; userName: string; dashboardUrl: string; mailboxes?: Pick<MailboxStore, 'list'> },
  settings: Pick<Settings, 'timeZone'>,
  now: number,
  since: number | null,
): Promise<DigestMail | null> {
  const { store } = deps;
  async function people(statuses: readonly Status[], keep: (contact: Contact) => boolean): Promise<{ shown: Contact[]; total: number }> {
    const found: Contact[] = [];
    for (const status of statuses) {
      const ids = await store.idsWithStatus(status);
      // In slices, so a large status does not make one huge MGET.
      for (let i = 0; i < ids.length; i += 500) {
        for (const contact of await store.getMany(ids.slice(i, i + 500))) if (contact && contact.status === status && keep(contact)) found.push(contact);
      }
    }
    found.sort((a, b) => b.updatedAt - a.updatedAt);
    return { shown: found.slice(0, MAX_ITEMS), total: found.length };
  }
  const onPlatform = (contact: Contact) => contact.platform !== 'email' && !contact.email;
  const [toSend, needAddress, toDecide, toApprove] = await Promise.all([
    people(['awaiting_address', 'awaiting_approval'], onPlatform),
    // Personal mail with no address Winnow may write to: only the user can give one.
    people(['awaiting_address'], (contact) => !onPlatform(contact)),
    // As the overview counts them: answers to accept or reject (a refusal has decided for itself).
    people(['answered'], () => true),
    people(['awaiting_approval'], (contact) => !onPlatform(contact)),
  ]);
  const [{ compiled }, template, mailboxes] = await Promise.all([deps.templates.current('script'), defaultDigestTemplate(), deps.mailboxes?.list() ?? []]);
  const withScript = (contact: Contact): DigestPerson => {
    const rendered = compiled.render(personVariables(contact, deps.userName));
    return { contact, script: { subject: rendered.subject, text: rendered.text } };
  };
  const plain = (contact: Contact): DigestPerson => ({ contact });
  return buildDigest(
    {
      toSend: toSend.shown.map(withScript),
      needAddress: needAddress.shown.map(plain),
      toDecide: toDecide.shown.map(plain),
      toApprove: toApprove.shown.map(plain),
      totals: { toSend: toSend.total, needAddress: needAddress.total, toDecide: toDecide.total, toApprove: toApprove.total },
      since,
      dashboardUrl: deps.dashboardUrl,
      day: localDay(now, settings.timeZone),
      signInNeeded: mailboxes.filter((mailbox) => mailbox.needsSignIn).map((mailbox) => ({ name: mailbox.name, address: mailbox.from.address, reason: `its ${mailbox.auth === 'password' ? 'provider' : PROVIDER_LABELS[mailbox.auth]} sign-in was refused; sign in again on the overview` })),
    },
    template,
  );
}
