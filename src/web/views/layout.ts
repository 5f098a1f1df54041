import type { SendingPause } from '../../contacts/store.ts';
import { html, type Html } from '../html.ts';
import type { Session } from '../session.ts';
import { sendingPausedBanner } from './alerts.ts';

/** What every page needs besides its own content. */
export interface View {
  session: Session | null;
  assets: { css: string; icon: string };
  /** While the circuit breaker holds sending: a banner on every page (read per request for a logged-in user). */
  sendingPause?: SendingPause | null;
}

/**
 * The main navigation, in order. A page names its entry as `section` and the entry is marked as
 * the current page. To add a page to the navigation, add a line here.
 */
export const NAVIGATION = [
  { section: 'overview', href: '/', label: 'Overview' },
  { section: 'people', href: '/people', label: 'People' },
  { section: 'awaiting', href: '/awaiting', label: 'Awaiting address' },
  { section: 'templates', href: '/templates', label: 'Templates' },
  { section: 'mailboxes', href: '/mailboxes', label: 'Mailboxes' },
  { section: 'settings', href: '/settings', label: 'Settings' },
  { section: 'health', href: '/health', label: 'Health' },
] as const;

/**
 * The navigation entry a page belongs to. 'person' and 'skipped-mail' are pages outside the
 * navigation (a person belongs to the people list; skipped mail to the health page); they
 * highlight the entry they map to below.
 */
export type Section = (typeof NAVIGATION)[number]['section'] | 'person' | 'skipped-mail' | null;

const BELONGS_TO: Partial<Record<Exclude<Section, null>, Exclude<Section, null>>> = { person: 'people', 'skipped-mail': 'health' };

export interface PageOptions {
  title: string;
  section?: Section;
  /** A short message about what just happened ("Saved as version 3"), shown above the content. */
  notice?: Html | string | null;
  /** Scripts of this origin the page loads (paths under /assets/); the CSP allows no inline script. */
  scripts?: string[];
}

/** A hidden CSRF field for a form that POSTs; every such form must carry one. */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

function navigation(session: Session, section: Section | undefined): Html {
  const current = section ? (BELONGS_TO[section] ?? section) : null;
  return html`<header class="site">
  <a class="brand" href="/">Winnow</a>
  <nav aria-label="Main">
    <ul>
      ${NAVIGATION.map((entry) => html`<li><a href="${entry.href}"${entry.section === current ? html` aria-current="page"` : null}>${entry.label}</a></li>`)}
    </ul>
  </nav>
  <form class="logout" method="post" action="/logout">
    ${csrfField(session.csrf)}
    <button type="submit">Log out</button>
  </form>
</header>`;
}

export function layout(view: View, options: PageOptions, content: Html): Html {
  const { session } = view;
  const header = session ? navigation(session, options.section) : html`<header class="site"><span class="brand">Winnow</span></header>`;

  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Winnow</title>
<link rel="stylesheet" href="${view.assets.css}">
<link rel="icon" type="image/svg+xml" href="${view.assets.icon}">
${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
${header}
<main id="main" tabindex="-1">
${session ? sendingPausedBanner(view.sendingPause, csrfField(session.csrf)) : null}
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : null}
${content}
</main>
</body>
</html>
`;
}
