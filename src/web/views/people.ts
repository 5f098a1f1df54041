import { DATE_FIELDS, DEFAULT_ORDER, SORTS, type DateField, type DirectoryPage, type SortKey } from '../../contacts/directory.ts';
import { type Channel, CHANNELS, type Contact, flagLabel, FLAGS, type Status, STATUSES, statusLabel } from '../../vocabulary/contact.ts';
import { platformLabel, PLATFORMS } from '../../vocabulary/platforms.ts';
import type { Flash } from '../flash.ts';
import { html, type Html } from '../html.ts';
import type { PeopleQuery } from '../schemas/people.ts';
import { DEFAULT_PAGE } from '../schemas/common.ts';
import { excerpt, flagBadges, formatCount, formatShortTime, nameOf, profileLink, scoreSummary, statusBadge } from './format.ts';
import { csrfField, layout, type View } from './layout.ts';

export interface PeopleListModel {
  query: PeopleQuery;
  /** The date range came backwards and is shown the right way round. */
  datesSwapped?: boolean;
  page: DirectoryPage;
  counts: Record<Status, number>;
  /** The session's CSRF token, for the bulk form. */
  csrf: string;
  flash: Flash | null;
  /** URL of the page's script (select all), served from this origin. */
  script: string;
  /** The user's mailboxes; with more than one, the list filters by the one a request came to. */
  mailboxes?: readonly MailboxChoice[];
}

/** A mailbox as the filters offer it. */
export interface MailboxChoice {
  id: string;
  name: string;
}

const ANSWER_EXCERPT = 200;

const SORT_LABELS: Record<SortKey, string> = { updated: 'Last change', requested: 'Requested', answered: 'Answered', name: 'Name', score: 'Score' };
/** Where people were asked, as the filter says it. */
const CHANNEL_LABELS: Record<Channel, string> = { email: 'asked by mail', platform: 'asked on the platform' };

const DATE_LABELS: Record<DateField, string> = { requested: 'requested', answered: 'answered', updated: 'last changed' };

/** The list's query as URL parameters; empty and default values are left out so links stay short. */
export function peopleParams(query: Partial<PeopleQuery>): URLSearchParams {
  const params = new URLSearchParams();
  const set = (name: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '') params.set(name, String(value));
  };
  set('q', query.q);
  set('status', query.status);
  set('platform', query.platform);
  set('channel', query.channel);
  set('flag', query.flag);
  set('mailbox', query.mailbox);
  set('date', query.date && query.date !== 'requested' ? query.date : undefined);
  set('from', query.from);
  set('to', query.to);
  set('sort', query.sort && query.sort !== 'updated' ? query.sort : undefined);
  set('order', query.order && query.order !== DEFAULT_ORDER[query.sort ?? 'updated'] ? query.order : undefined);
  set('limit', query.limit && query.limit !== DEFAULT_PAGE ? query.limit : undefined);
  set('cursor', query.cursor);
  return params;
}

export function peopleUrl(query: Partial<PeopleQuery>, path = '/people'): string {
  const search = peopleParams(query).toString();
  return search ? `${path}?${search}` : path;
}

export function contactUrl(id: string): string {
  return `/contacts/${encodeURIComponent(id)}`;
}

/** A message after a form's redirect; a refusal is an alert, so screen readers hear it at once. */
export function flashMessage(flash: Flash | null): Html | null {
  if (!flash) return null;
  return flash.kind === 'done' ? html`<p class="notice" role="status">${flash.text}</p>` : html`<p class="notice refused" role="alert">${flash.text}</p>`;
}

function isFiltered(query: PeopleQuery): boolean {
  return Boolean(query.q || query.status || query.platform || query.channel || query.flag || query.mailbox || query.from || query.to);
}

function statusCounts(query: PeopleQuery, counts: Record<Status, number>): Html {
  const total = STATUSES.reduce((sum, status) => sum + counts[status], 0);
  const link = (status: Status | undefined, label: string, count: number) =>
    html`<li><a href="${peopleUrl({ ...query, status, cursor: undefined })}"${query.status === status ? html` aria-current="true"` : null}>${label} <span class="count">${formatCount(count)}</span></a></li>`;
  return html`<nav class="counts" aria-label="Filter by status">
  <ul>
    ${link(undefined, isFiltered({ ...query, status: undefined }) ? 'all that match' : 'all', total)}
    ${STATUSES.filter((status) => counts[status] > 0 || status === query.status).map((status) => link(status, statusLabel(status), counts[status]))}
  </ul>
</nav>`;
}

function select(name: string, label: string, current: string | undefined, options: Array<[string, string]>, anyLabel: string | null): Html {
  return html`<div class="field">
    <label for="filter-${name}">${label}</label>
    <select id="filter-${name}" name="${name}">
      ${anyLabel === null ? null : html`<option value="">${anyLabel}</option>`}
      ${options.map(([value, text]) => html`<option value="${value}"${current === value ? html` selected` : null}>${text}</option>`)}
    </select>
  </div>`;
}

/**
 * The order, after "usual" (empty: the sort's own default order), which the form sends unless the
 * user picks another. Were the default order selected instead, choosing "Name" would keep
 * "newest first" from the usual sort and list names Z to A.
 */
const ORDER_OPTIONS: Array<[string, string]> = [
  ['desc', 'newest, highest or Z first'],
  ['asc', 'oldest, lowest or A first'],
];

/** The filters and the sort order in force, in words, for the summary of the folded filters. */
export function filtersInUse(query: PeopleQuery, mailboxes: readonly MailboxChoice[] = []): string[] {
  const words: string[] = [];
  if (query.mailbox) words.push(`came to ${mailboxes.find((mailbox) => mailbox.id === query.mailbox)?.name ?? 'a removed mailbox'}`);
  if (query.status) words.push(statusLabel(query.status));
  if (query.platform) words.push(platformLabel(query.platform));
  if (query.channel) words.push(CHANNEL_LABELS[query.channel]);
  if (query.flag) words.push(flagLabel(query.flag));
  if (query.from || query.to) words.push(`${DATE_LABELS[query.date ?? 'requested']} ${query.from ?? '…'} to ${query.to ?? '…'}`);
  if (query.sort || query.order) words.push(describeSort(query));
  return words;
}

/**
 * The search field, then every other filter and the sort order in a <details>. On a phone the
 * details stay folded (no script needed), so the list starts on the first screen, and the summary
 * says which filters are in force; on a wider screen the stylesheet shows them unfolded, and the
 * summary is hidden (app.css, "People list").
 */
function filterForm(query: PeopleQuery, datesSwapped: boolean, mailboxes: readonly MailboxChoice[]): Html {
  const inUse = filtersInUse(query, mailboxes);
  return html`<form class="search filters" method="get" action="/people" role="search" aria-label="Find people">
  <div class="field grow">
    <label for="q">Search names, addresses and companies</label>
    <input id="q" name="q" type="search" value="${query.q ?? ''}" maxlength="200">
  </div>
  <details class="more-filters"${datesSwapped ? html` open` : null}>
    <summary>Filter and sort${inUse.length > 0 ? html`<span class="in-use">: ${inUse.join(', ')}</span>` : null}</summary>
    <div class="more-filters-body">
    ${select('status', 'Status', query.status, STATUSES.map((s) => [s, statusLabel(s)]), 'any')}
    ${select('platform', 'Platform', query.platform, PLATFORMS.map((p) => [p, platformLabel(p)]), 'any')}
    ${select('channel', 'Asked', query.channel, CHANNELS.map((c) => [c, CHANNEL_LABELS[c]]), 'either way')}
    ${select('flag', 'Flag', query.flag, FLAGS.map((f) => [f, flagLabel(f)]), 'any')}
    ${mailboxSelect(query.mailbox, mailboxes)}
    <fieldset class="date-range">
      <legend>Date</legend>
      ${select('date', 'Which date', query.date ?? 'requested', DATE_FIELDS.map((d) => [d, DATE_LABELS[d]]), null)}
      <div class="field">
        <label for="filter-from">From</label>
        <input id="filter-from" name="from" type="date" value="${query.from ?? ''}">
      </div>
      <div class="field">
        <label for="filter-to">To</label>
        <input id="filter-to" name="to" type="date" value="${query.to ?? ''}">
      </div>
      ${datesSwapped ? html`<p class="field-note" id="date-swapped" role="status">The first date was after the second, so they were swapped: from ${query.from ?? ''} to ${query.to ?? ''}.</p>` : null}
    </fieldset>
    ${select('sort', 'Sort by', query.sort ?? 'updated', SORTS.map((s) => [s, SORT_LABELS[s]]), null)}
    ${select('order', 'Order', query.order === DEFAULT_ORDER[query.sort ?? 'updated'] ? undefined : query.order, ORDER_OPTIONS, 'usual: newest or highest first, names A to Z')}
    </div>
  </details>
  ${query.limit !== DEFAULT_PAGE ? html`<input type="hidden" name="limit" value="${query.limit}">` : null}
  <div class="filter-buttons">
    <button type="submit">Show</button>
    ${isFiltered(query) || query.sort ? html`<a class="clear" href="/people">Clear</a>` : null}
  </div>
</form>`;
}

/**
 * Which mailbox the request came to: offered only to a user with more than one, or while a filter
 * by one is in force (a link from before a mailbox was removed still shows what it filters by).
 */
export function mailboxSelect(current: string | undefined, mailboxes: readonly MailboxChoice[]): Html | null {
  if (mailboxes.length < 2 && !current) return null;
  const options: Array<[string, string]> = mailboxes.map((mailbox) => [mailbox.id, mailbox.name]);
  if (current && !mailboxes.some((mailbox) => mailbox.id === current)) options.push([current, 'a removed mailbox']);
  return select('mailbox', 'Mailbox', current, options, 'any');
}

function answerCell(contact: Contact): Html {
  if (!contact.answerText) return html`<span class="none">—</span>`;
  const short = excerpt(contact.answerText, ANSWER_EXCERPT);
  return html`<p class="answer">${short.text}</p>${short.cut ? html` <a href="${contactUrl(contact.id)}#answer">Read all<span class="visually-hidden"> of the answer from ${nameOf(contact.name)}</span></a>` : null}`;
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
  const name = nameOf(contact.name);
  const profile = profileLink(contact.profileUrl, 'profile', name);
  const pick = `pick-${contact.id}`;
  return html`<tr>
  <td class="pick" data-label="Select"><input type="checkbox" name="ids" value="${contact.id}" id="${pick}"><label for="${pick}" class="visually-hidden">Select ${name}</label></td>
  <th scope="row" data-label="Name">
    <a href="${contactUrl(contact.id)}">${name}</a>${profile ? html` <span class="profile">(${profile})</span>` : null}
    ${contact.headline ? html`<span class="headline">${contact.headline}</span>` : null}
    ${contact.email ? html`<span class="email">${contact.email}</span>` : null}
  </th>
  <td data-label="Status">${statusBadge(contact.status)}</td>
  <td data-label="Platform">${platformLabel(contact.platform)}</td>
  <td data-label="Asked">${contact.askedAt === null ? html`<span class="none">—</span>` : contact.channel === 'platform' ? `on ${platformLabel(contact.platform)}` : 'by mail'}</td>
  <td data-label="Dates">${dates(contact)}</td>
  <td data-label="Score">${scoreSummary(contact.score)}</td>
  <td data-label="Flags">${flagBadges(contact.flags) ?? html`<span class="none">—</span>`}</td>
  <td data-label="Answer" class="answer-cell">${answerCell(contact)}</td>
</tr>`;
}

function emptyMessage(query: PeopleQuery): string {
  if (query.cursor) return 'That was everyone: there is no one on later pages.';
  if (isFiltered(query)) return 'No one matches this filter.';
  return 'No connection requests yet. Winnow lists people here as their requests arrive.';
}

function describeSort(query: PeopleQuery): string {
  const sort = query.sort ?? 'updated';
  const order = query.order ?? DEFAULT_ORDER[sort];
  const words: Record<SortKey, [string, string]> = {
    updated: ['most recently changed first', 'least recently changed first'],
    requested: ['newest requests first', 'oldest requests first'],
    answered: ['latest answers first', 'earliest answers first'],
    name: ['by name, Z to A', 'by name, A to Z'],
    score: ['highest score first', 'lowest score first'],
  };
  return words[sort][order === 'desc' ? 0 : 1];
}

export function peopleListPage(view: View, model: PeopleListModel): Html {
  const { query, page, counts } = model;
  const back = peopleUrl(query);
  const csvUrl = peopleUrl({ ...query, cursor: undefined, limit: undefined }, '/people.csv');
  const summary = html`<p class="list-summary" id="list-summary">${formatCount(page.total)} ${page.total === 1 ? 'person' : 'people'}${isFiltered(query) ? ' match' : ''}, ${describeSort(query)}. <a href="${csvUrl}" download>Download ${isFiltered(query) ? 'these' : 'all'} as CSV</a></p>`;
  const table =
    page.contacts.length === 0
      ? html`<p class="empty">${emptyMessage(query)}</p>`
      : html`<form class="bulk" id="bulk" method="post" action="/people/decide">
  ${csrfField(model.csrf)}
  <input type="hidden" name="back" value="${back}">
  <div class="actions bulk-actions">
    <span class="label">With the people ticked below:</span>
    <button type="submit" name="decision" value="accepted">Accept selected</button>
    <button type="submit" name="decision" value="rejected" class="secondary">Reject selected</button>
  </div>
  <div class="table-wrap">
  <table class="people">
    <caption class="visually-hidden">People who asked to connect, ${describeSort(query)}</caption>
    <thead>
      <tr>
        <th scope="col" class="pick"><input type="checkbox" id="select-all" data-select-all="ids" hidden><label for="select-all" class="visually-hidden">Select everyone on this page</label></th>
        <th scope="col">Name</th><th scope="col">Status</th><th scope="col">Platform</th><th scope="col">Asked</th><th scope="col">Dates <span class="unit">(UTC)</span></th><th scope="col">Score</th><th scope="col">Flags</th><th scope="col">Answer</th>
      </tr>
    </thead>
    <tbody>
      ${page.contacts.map(row)}
    </tbody>
  </table>
  </div>
</form>`;
  const pager =
    query.cursor || page.nextCursor
      ? html`<nav class="pager" aria-label="Pages">
  ${query.cursor ? html`<a href="${peopleUrl({ ...query, cursor: undefined })}">First page</a>` : null}
  ${page.nextCursor ? html`<a rel="next" href="${peopleUrl({ ...query, cursor: page.nextCursor })}">Next page</a>` : null}
</nav>`
      : null;

  return layout(
    view,
    { title: query.status ? `People: ${statusLabel(query.status)}` : 'People', section: 'people', scripts: [model.script] },
    html`<h1>People</h1>
${flashMessage(model.flash)}
${statusCounts(query, counts)}
${filterForm(query, model.datesSwapped === true, model.mailboxes ?? [])}
${summary}
${table}
${pager}`,
  );
}
