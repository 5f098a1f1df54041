import { html, type Html } from '../html.ts';
import type { Session } from '../session.ts';

/** What every page needs besides its own content. */
export interface View {
  session: Session | null;
  assets: { css: string; icon: string };
}

export type Section = 'people' | 'skipped-mail' | null;

const SECTIONS: Array<{ id: Exclude<Section, null>; href: string; label: string }> = [
  { id: 'people', href: '/', label: 'People' },
  { id: 'skipped-mail', href: '/skipped-mail', label: 'Skipped mail' },
];

/** A hidden CSRF field for a form that POSTs; every such form must carry one. */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

export function layout(view: View, options: { title: string; section?: Section }, content: Html): Html {
  const { session } = view;
  const header = session
    ? html`<header class="site">
  <a class="brand" href="/">Winnow</a>
  <nav aria-label="Main">
    <ul>
      ${SECTIONS.map((s) => html`<li><a href="${s.href}"${s.id === options.section ? html` aria-current="page"` : null}>${s.label}</a></li>`)}
    </ul>
  </nav>
  <form class="logout" method="post" action="/logout">
    ${csrfField(session.csrf)}
    <button type="submit">Log out</button>
  </form>
</header>`
    : html`<header class="site"><span class="brand">Winnow</span></header>`;

  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Winnow</title>
<link rel="stylesheet" href="${view.assets.css}">
<link rel="icon" type="image/svg+xml" href="${view.assets.icon}">
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
${header}
<main id="main">
${content}
</main>
</body>
</html>
`;
}
