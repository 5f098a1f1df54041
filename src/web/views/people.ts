import type { ContactPage } from '../../contacts/store.ts';
import { STATUSES, type Contact, type Status } from '../../contacts/types.ts';
import { html, type Html } from '../html.ts';
import { DEFAULT_PAGE, type ContactListQuery } from '../schemas.ts';
import { excerpt, formatShortTime, nameOf, platformLabel, profileLink, statusBadge, statusLabel } from './format.ts';
import { layout, type View } from './layout.ts';

export interface PeoplePage {
  query: ContactListQuery;
  page: ContactPage;
  counts: Record<Status, number>;
}

const ANSWER_EXCERPT = 280;

/** The list URL for a query; empty parameters are left out so links stay short and shareable. */
export function peopleUrl(query: Partial<ContactListQuery>): string {
  const params = new URLSearchParams();
  if (query.status) params.set('status', query.status);
  if (query.q) params.set('q', query.q);
  if (query.limit && query.limit !== DEFAULT_PAGE) params.set('limit', String(query.limit));
  if (query.cursor) params.set('cursor', query.cursor);
  const search = params.toString();
  return search ? `/?${search}` : '/';
}

export function contactUrl(id: string): string {
  return `/contacts/${encodeURIComponent(id)}`;
}

function statusFilter(query: ContactListQuery, counts: Record<Status, number>): Html {
  const total = STATUSES.reduce((sum, status) => sum + counts[status], 0);
  const link = (status: Status | undefined, label: string, count: number) =>
    html`<li><a href="${peopleUrl({ status, q: query.q, limit: query.limit })}"${query.status === status ? html` aria-current="true"` : null}>${label} <span class="count">${count}</span></a></li>`;
  return html`<nav class="counts" aria-label="Filter by status">
  <ul>
    ${link(undefined, 'all', total)}
    ${STATUSES.map((status) => link(status, statusLabel(status), counts[status]))}
  </ul>
</nav>`;
}

function searchForm(query: ContactListQuery): Html {
  return html`<form class="search" method="get" action="/" role="search">
  <div class="field">
    <label for="q">Search names, addresses, headlines, subjects</label>
    <input id="q" name="q" type="search" value="${query.q ?? ''}" maxlength="200">
  </div>
  <div class="field">
    <label for="status">Status</label>
    <select id="status" name="status">
      <option value="">any</option>
      ${STATUSES.map((status) => html`<option value="${status}"${query.status === status ? html` selected` : null}>${statusLabel(status)}</option>`)}
    </select>
  </div>
  <button type="submit">Show</button>
  ${query.q || query.status ? html`<a class="clear" href="/">Clear</a>` : null}
</form>`;
}

function answerCell(contact: Contact): Html {
  if (!contact.answerText) return html`<span class="none">—</span>`;
  const short = excerpt(contact.answerText, ANSWER_EXCERPT);
  return html`<p class="answer">${short.text}</p>${short.cut ? html` <a href="${contactUrl(contact.id)}">Read the whole answer<span class="visually-hidden"> from ${nameOf(contact.name)}</span></a>` : null}`;
}

/** The lifecycle's dates in one cell, only those that happened, so the table fits a laptop screen. */
function dates(contact: Contact): Html {
  const entries: Array<[string, number | null]> = [
    ['requested', contact.requestedAt],
    ['asked', contact.askedAt],
    [contact.answeredAt ? 'answered' : 'deadline', contact.answeredAt ?? contact.deadlineAt],
  ];
  return html`<dl class="dates">${entries
    .filter(([, at]) => at !== null)
    .map(([label, at]) => html`<div><dt>${label}</dt> <dd>${formatShortTime(at)}</dd></div>`)}</dl>`;
}

function row(contact: Contact): Html {
  const profile = profileLink(contact.profileUrl, 'profile', nameOf(contact.name));
  return html`<tr>
  <th scope="row" data-label="Name">
    <a href="${contactUrl(contact.id)}">${nameOf(contact.name)}</a>${profile ? html` <span class="profile">(${profile})</span>` : null}
    ${contact.headline ? html`<span class="headline">${contact.headline}</span>` : null}
  </th>
  <td data-label="Status">${statusBadge(contact.status)}</td>
  <td data-label="Platform">${platformLabel(contact.platform)}</td>
  <td data-label="Email" class="email">${contact.email ?? html`<span class="none">—</span>`}</td>
  <td data-label="Dates">${dates(contact)}</td>
  <td data-label="Answer" class="answer-cell">${answerCell(contact)}</td>
</tr>`;
}

function emptyMessage(query: ContactListQuery): string {
  // A full page always comes with a cursor, so the page after the last one can be empty.
  if (query.cursor) return 'That was everyone: there is no one on later pages.';
  if (query.q || query.status) return 'No one matches this filter.';
  return 'No connection requests yet. Winnow lists people here as their requests arrive.';
}

export function peoplePage(view: View, model: PeoplePage): Html {
  const { query, page, counts } = model;
  const table =
    page.contacts.length === 0
      ? html`<p class="empty">${emptyMessage(query)}</p>`
      : html`<div class="table-wrap">
<table class="people">
  <caption class="visually-hidden">People who asked to connect, most recently changed first</caption>
  <thead>
    <tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Platform</th><th scope="col">Email</th><th scope="col">Dates <span class="unit">(UTC)</span></th><th scope="col">Answer</th></tr>
  </thead>
  <tbody>
    ${page.contacts.map(row)}
  </tbody>
</table>
</div>`;
  const pager =
    query.cursor || page.nextCursor
      ? html`<nav class="pager" aria-label="Pages">
  ${query.cursor ? html`<a href="${peopleUrl({ ...query, cursor: undefined })}">First page</a>` : null}
  ${page.nextCursor ? html`<a rel="next" href="${peopleUrl({ ...query, cursor: page.nextCursor })}">Next page</a>` : null}
</nav>`
      : null;

  return layout(
    view,
    { title: query.status ? `People: ${statusLabel(query.status)}` : 'People', section: 'people' },
    html`<h1>People</h1>
${statusFilter(query, counts)}
${searchForm(query)}
${table}
${pager}`,
  );
}
