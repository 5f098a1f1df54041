import type { ListedEndpoint, WebhookDelivery, WebhookNotice } from '../../webhooks/endpoints.ts';
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/events.ts';
import type { Flash } from '../flash.ts';
import { html, type Html } from '../html.ts';
import { formatShortTime, formatTime } from './format.ts';
import { csrfField, layout, type View } from './layout.ts';
import { flashMessage } from './people.ts';

/**
 * The webhooks of the settings page: the section listing the endpoints with the form to add one,
 * each endpoint's own page (edit, test, new secret, remove, its delivery log with replay), the
 * page that shows a new secret once, and the overview's notice of endpoints turned off.
 */

/** What the add and edit forms hold, as typed. */
export interface EndpointFormValues {
  url: string;
  description: string;
  events: readonly string[];
}

const EMPTY_FORM: EndpointFormValues = { url: '', description: '', events: [] };

function endpointFields(values: EndpointFormValues, error: string | null): Html {
  return html`<div class="field">
    <label for="webhook-url">URL</label>
    <input id="webhook-url" name="url" type="url" size="50" value="${values.url}" required${error ? html` aria-invalid="true" aria-describedby="webhook-url-error"` : null}>
    ${error ? html`<p class="field-error" id="webhook-url-error">${error}</p>` : null}
    <p class="hint">Webhooks are POSTed here, signed (Standard Webhooks). Addresses on this machine or a private network are refused unless WEBHOOK_ALLOW_PRIVATE=true.</p>
  </div>
  <div class="field">
    <label for="webhook-description">Name</label>
    <input id="webhook-description" name="description" type="text" size="30" value="${values.description}">
  </div>
  <fieldset>
    <legend>Events (none ticked: all)</legend>
    ${WEBHOOK_EVENT_TYPES.map((type) => html`<label><input type="checkbox" name="events" value="${type}"${values.events.includes(type) ? html` checked` : null}> ${type}</label> `)}
  </fieldset>`;
}

function state(endpoint: ListedEndpoint): Html {
  return endpoint.enabled ? html`<span class="badge tone-good">on</span>` : html`<span class="badge tone-bad" title="${endpoint.disabledReason ?? ''}">off</span>`;
}

/** The section of the settings page: the endpoints, and a form to add one. */
export function webhooksSection(csrf: string, endpoints: readonly ListedEndpoint[], flash?: Flash | null): Html {
  return html`<section id="webhooks" aria-labelledby="webhooks-heading">
  <h2 id="webhooks-heading">Webhooks</h2>
  ${flashMessage(flash ?? null)}
  <p class="hint">Winnow POSTs a signed event to each endpoint when a person's status changes. See README, "Webhooks".</p>
  ${
    endpoints.length === 0
      ? html`<p>No endpoints yet.</p>`
      : html`<table class="webhooks">
    <thead><tr><th scope="col">Endpoint</th><th scope="col">Events</th><th scope="col">State</th><th scope="col">Secret</th></tr></thead>
    <tbody>
      ${endpoints.map(
        (endpoint) => html`<tr>
        <td><a href="/settings/webhooks/${endpoint.id}">${endpoint.description || endpoint.url}</a>${endpoint.description ? html`<br><span class="hint">${endpoint.url}</span>` : null}</td>
        <td>${endpoint.events.length === 0 ? 'all' : endpoint.events.join(', ')}</td>
        <td>${state(endpoint)}</td>
        <td><code>${endpoint.secretHint}</code></td>
      </tr>`,
      )}
    </tbody>
  </table>`
  }
  ${addForm(csrf, EMPTY_FORM, null)}
</section>`;
}

function addForm(csrf: string, values: EndpointFormValues, error: string | null): Html {
  return html`<form class="settings" method="post" action="/settings/webhooks" novalidate>
  ${csrfField(csrf)}
  <h3>Add an endpoint</h3>
  ${endpointFields(values, error)}
  <div class="actions"><button type="submit">Add endpoint</button></div>
</form>`;
}

/** The add form again, with the reason it was refused beside the URL. */
export function addEndpointPage(view: View, values: EndpointFormValues, error: string): Html {
  return layout(
    view,
    { title: 'Add a webhook endpoint', section: 'settings' },
    html`<h1>Add a webhook endpoint</h1>
<div class="error" role="alert" id="webhook-error"><p><strong>The endpoint was not added.</strong> ${error}</p></div>
${addForm(view.session?.csrf ?? '', values, error)}
<p><a href="/settings#webhooks">Back to the settings</a></p>`,
  );
}

/** After adding an endpoint or a new secret: the secret, this once. */
export function secretPage(view: View, endpoint: ListedEndpoint, secret: string, fresh: 'added' | 'rotated'): Html {
  return layout(
    view,
    { title: 'Webhook secret', section: 'settings' },
    html`<h1>${fresh === 'added' ? 'Endpoint added' : 'New secret'}</h1>
<div class="notice" role="status">
  <p>The secret of <strong>${endpoint.description || endpoint.url}</strong>. Copy it now into the receiver: it is not shown again${fresh === 'rotated' ? ', and the old secret signs nothing from now on' : ''}.</p>
  <p><code id="webhook-secret">${secret}</code></p>
</div>
<p><a href="/settings/webhooks/${endpoint.id}">To the endpoint</a> · <a href="/settings#webhooks">Back to the settings</a></p>`,
  );
}

function deliveryRow(csrf: string, endpointId: string, delivery: WebhookDelivery, canReplay: boolean): Html {
  const tone = delivery.outcome === 'delivered' ? 'good' : delivery.outcome === 'failed' ? 'bad' : 'neutral';
  return html`<tr>
  <td>${formatShortTime(delivery.at)}</td>
  <td>${delivery.type}${delivery.replay ? ' (again)' : null}</td>
  <td><span class="badge tone-${tone}">${delivery.outcome}</span> ${delivery.attempt > 1 ? html`try ${delivery.attempt}` : null}${delivery.error ? html`<br><span class="hint">${delivery.error}</span>` : null}</td>
  <td>${delivery.responseCode ?? '—'}</td>
  <td>${delivery.durationMs} ms</td>
  <td>${delivery.nextRetryAt === null ? '—' : formatShortTime(delivery.nextRetryAt)}</td>
  <td>${
    canReplay
      ? html`<form method="post" action="/settings/webhooks/${endpointId}/replay">${csrfField(csrf)}<input type="hidden" name="deliveryId" value="${delivery.id}"><button type="submit" class="small">Send again</button></form>`
      : null
  }</td>
</tr>`;
}

export interface EndpointPage {
  endpoint: ListedEndpoint;
  deliveries: readonly WebhookDelivery[];
  /** As typed when the edit was refused; else the endpoint's values. */
  values?: EndpointFormValues;
  error?: string | null;
  flash?: Flash | null;
}

/** One endpoint: edit it, send a test, make a new secret, remove it; its delivery log with replay. */
export function endpointPage(view: View, model: EndpointPage): Html {
  const { endpoint } = model;
  const csrf = view.session?.csrf ?? '';
  const values = model.values ?? { url: endpoint.url, description: endpoint.description, events: endpoint.events };
  const action = (path: string, label: string) => html`<form method="post" action="/settings/webhooks/${endpoint.id}/${path}">${csrfField(csrf)}<button type="submit">${label}</button></form>`;
  return layout(
    view,
    { title: `Webhook ${endpoint.description || endpoint.url}`, section: 'settings' },
    html`<h1>Webhook endpoint</h1>
${flashMessage(model.flash ?? null)}
${model.error ? html`<div class="error" role="alert" id="webhook-error"><p><strong>Not saved.</strong> ${model.error}</p></div>` : null}
<p>${state(endpoint)} ${endpoint.enabled ? null : html`turned off ${formatTime(endpoint.disabledAt)}: ${endpoint.disabledReason}`} · secret <code>${endpoint.secretHint}</code></p>
<form class="settings" method="post" action="/settings/webhooks/${endpoint.id}" novalidate>
  ${csrfField(csrf)}
  ${endpointFields(values, model.error ?? null)}
  <div class="field"><label><input type="checkbox" name="enabled" value="on"${endpoint.enabled ? html` checked` : null}> On (turning it on clears the overview's notice)</label></div>
  <div class="actions"><button type="submit">Save endpoint</button></div>
</form>
<div class="actions">
  ${endpoint.enabled ? action('test', 'Send test event') : null}
  ${action('rotate', 'Make a new secret')}
  ${action('remove', 'Remove endpoint')}
</div>
<h2>Deliveries</h2>
${
  model.deliveries.length === 0
    ? html`<p>Nothing sent yet.</p>`
    : html`<table class="deliveries">
  <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Response</th><th scope="col">Took</th><th scope="col">Next try</th><th scope="col"></th></tr></thead>
  <tbody>${model.deliveries.map((delivery) => deliveryRow(csrf, endpoint.id, delivery, endpoint.enabled))}</tbody>
</table>`
}
<p><a href="/settings#webhooks">Back to the settings</a></p>`,
  );
}

/** The overview's notice of endpoints turned off after failing for good, each with a dismiss button. */
export function webhookNoticesBox(notices: readonly WebhookNotice[], csrf: string): Html | null {
  if (notices.length === 0) return null;
  return html`<div class="error" role="alert" id="webhook-notices">
  ${notices.map(
    (notice) => html`<p><strong>A webhook endpoint was turned off</strong> ${formatTime(notice.at)} after failing for about a day: ${notice.url} (${notice.reason}).
    <a href="/settings/webhooks/${notice.endpointId}">See it in the settings</a> to turn it on again.
    <form class="inline" method="post" action="/settings/webhooks/${notice.endpointId}/dismiss">${csrfField(csrf)}<button type="submit" class="small">Dismiss</button></form></p>`,
  )}
</div>`;
}
