import type { ContactStore } from '../contacts/store.ts';
import type { Contact, Status } from '../vocabulary/contact.ts';
import { personVariables } from '../script/render.ts';
import type { TemplateStore } from '../script/store.ts';
import { localDay } from '../settings/send-window.ts';
import type { Settings } from '../settings/settings.ts';
import { buildDigest, MAX_ITEMS, type DigestMail, type DigestPerson } from './digest.ts';

/**
 * Reads what needs the user from the store and writes the digest: people to send the script to on
 * a platform (with the script in force rendered for each), answers to decide, scripts to approve.
 * Used by the workers to send it and by the settings page to preview it.
 */
export async function composeDigest(
  deps: { store: ContactStore; templates: Pick<TemplateStore, 'current'>; userName: string; dashboardUrl: string },
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
  const [toSend, toDecide, toApprove] = await Promise.all([
    people(['awaiting_address', 'awaiting_approval'], onPlatform),
    // As the overview counts them: answers to accept or reject (a refusal has decided for itself).
    people(['answered'], () => true),
    people(['awaiting_approval'], (contact) => !onPlatform(contact)),
  ]);
  const { compiled } = await deps.templates.current('script');
  const withScript = (contact: Contact): DigestPerson => {
    const rendered = compiled.render(personVariables(contact, deps.userName));
    return { contact, script: { subject: rendered.subject, text: rendered.text } };
  };
  return buildDigest({
    toSend: toSend.shown.map(withScript),
    toDecide: toDecide.shown.map((contact) => ({ contact })),
    toApprove: toApprove.shown.map((contact) => ({ contact })),
    totals: { toSend: toSend.total, toDecide: toDecide.total, toApprove: toApprove.total },
    since,
    dashboardUrl: deps.dashboardUrl,
    day: localDay(now, settings.timeZone),
  });
}
