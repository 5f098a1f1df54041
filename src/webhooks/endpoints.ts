import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { checkWebhookUrl, type HostLookup } from './address.ts';
import { isWebhookEventType, webhookTestEvent, type DeliveredEventType, type WebhookEvent, type WebhookEventType } from './events.ts';
import { webhookSecretProblem } from '../config/webhook.ts';
import { isSealed, SecretKeyMissing, type Sealer } from '../config/sealed.ts';
import { newWebhookSecret } from './signature.ts';

/**
 * Webhook endpoints, their delivery logs and the notices of endpoints turned off, in Redis.
 * Keys follow the contact store's (src/contacts/store.ts: `<prefix>:{<mailbox>}:…`), so they sit
 * on the mailbox's shard in a Redis Cluster and go with the rest of its keys.
 */
export function webhookKeys(prefix: string, mailbox: string) {
  const base = `${prefix}:{${mailbox}}:webhook`;
  return {
    /** hash: endpoint id → endpoint JSON, without its secret */
    endpoints: `${base}:endpoints`,
    /** hash: endpoint id → its secret sealed (src/config/sealed.ts), or CONFIGURED_SECRET for the WEBHOOK_URL endpoint */
    secrets: `${base}:secrets`,
    /** list: the endpoint's delivery attempts, newest first, capped at DELIVERY_LOG_LENGTH */
    deliveries: (endpointId: string) => `${base}:deliveries:${endpointId}`,
    /** string: one event's body, kept EVENT_KEEP_MS for retries and replay */
    event: (eventId: string) => `${base}:event:${eventId}`,
    /** set: the ids of the events kept about one person, so that erasing them removes the bodies too */
    personEvents: (contactId: string) => `${base}:person-events:${contactId}`,
    /** list: endpoints turned off after failing for good, newest first, for the overview */
    notices: `${base}:notices`,
  };
}

/** The endpoint set by WEBHOOK_URL and WEBHOOK_SECRET. */
export const CONFIGURED_ENDPOINT_ID = 'env';
/**
 * What the secrets hash holds for the WEBHOOK_URL endpoint: its secret is in the environment of
 * every process that delivers, so it is read from there and never written to Redis, sealed or not.
 */
export const CONFIGURED_SECRET = 'from-environment:WEBHOOK_SECRET';

export const DELIVERY_LOG_LENGTH = 200;
export const NOTICE_LOG_LENGTH = 50;
/** An event's body is kept a week: longer than its retries last, and long enough to replay it. */
export const EVENT_KEEP_MS = 7 * 86_400_000;

export interface WebhookEndpoint {
  id: string;
  url: string;
  /** whsec_…: signs every webhook to this endpoint; '' when it cannot be read (secretProblem says why). */
  secret: string;
  /** Why the secret cannot be read in this process (sealed under another WINNOW_SECRET, WINNOW_SECRET not set); null when it can. */
  secretProblem: string | null;
  /** The events it receives; empty for all. */
  events: WebhookEventType[];
  enabled: boolean;
  /** What the user calls it, for the settings page. */
  description: string;
  createdAt: number;
  /** When and why it was turned off (by the user, or after failing for good); null while on. */
  disabledAt: number | null;
  disabledReason: string | null;
}

/** One attempt to deliver one event to one endpoint, as the log shows it. */
export interface WebhookDelivery {
  /** `<event id>.<attempt>` (with `.replay-<time>` for a replay), unique in the endpoint's log. */
  id: string;
  eventId: string;
  type: DeliveredEventType;
  at: number;
  /** 1 for the first try, counted again from 1 in a replay. */
  attempt: number;
  /** delivered: 2xx; failed: another answer or none (and retried while attempts remain); skipped: not sent (endpoint off, event gone). */
  outcome: 'delivered' | 'failed' | 'skipped';
  responseCode: number | null;
  durationMs: number;
  /** When the next attempt goes out; null when none will. */
  nextRetryAt: number | null;
  /** What went wrong, in words; null when delivered. */
  error: string | null;
  /** The first characters of the receiver's answer, for the log. */
  response: string | null;
  replay: boolean;
}

/** An endpoint turned off after failing for good, for the overview to show until it is turned on again. */
export interface WebhookNotice {
  endpointId: string;
  url: string;
  at: number;
  reason: string;
}

export interface NewEndpoint {
  url: string;
  /** Generated when not given. */
  secret?: string;
  events?: readonly string[];
  description?: string;
}

/** invalid: what was given is refused; missing: no such endpoint or delivery; state: not now (the endpoint is off, the event gone). */
export type WebhookProblem = 'invalid' | 'missing' | 'state';

export class WebhookEndpointError extends Error {
  readonly problem: WebhookProblem;

  constructor(message: string, problem: WebhookProblem = 'invalid') {
    super(message);
    this.problem = problem;
    this.name = 'WebhookEndpointError';
  }
}

// Merges fields into an endpoint only while it exists, so a worker turning an endpoint off cannot
// bring back one the user has just removed, and two writers do not lose each other's fields.
// KEYS: endpoints hash. ARGV: endpoint id, patch JSON. Returns the endpoint JSON after, or false.
const PATCH_ENDPOINT = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local endpoint = cjson.decode(raw)
for field, value in pairs(cjson.decode(ARGV[2])) do endpoint[field] = value end
local encoded = cjson.encode(endpoint)
redis.call('HSET', KEYS[1], ARGV[1], encoded)
return encoded
`;

// Turns an endpoint off after it failed for good and files the notice, in one step, only while it
// is on: two deliveries failing for good at once leave one notice. KEYS: endpoints hash, notices.
// ARGV: endpoint id, time, reason, notice JSON, how many notices to keep. Returns the endpoint
// JSON after, or false when it is gone or off already.
const DISABLE_AFTER_FAILURE = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local endpoint = cjson.decode(raw)
if endpoint['enabled'] ~= true then return false end
endpoint['enabled'] = false
endpoint['disabledAt'] = tonumber(ARGV[2])
endpoint['disabledReason'] = ARGV[3]
local encoded = cjson.encode(endpoint)
redis.call('HSET', KEYS[1], ARGV[1], encoded)
redis.call('LPUSH', KEYS[2], ARGV[4])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[5]) - 1)
return encoded
`;

// Moves a secret kept in clear in the endpoint's JSON (versions before secrets were sealed) to the
// secrets hash, sealed, in one step, and only while the clear one is still the one sealed: a
// change meanwhile is not overwritten. KEYS: endpoints hash, secrets hash. ARGV: endpoint id, the
// clear secret as read, the sealed one. Returns 1 when moved, 0 when the endpoint changed or went.
const SEAL_CLEAR_SECRET = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local endpoint = cjson.decode(raw)
if endpoint['secret'] ~= ARGV[2] then return 0 end
endpoint['secret'] = nil
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(endpoint))
return 1
`;

// Sets an endpoint's secret only while the endpoint exists, so a secret cannot outlive a removal.
// KEYS: endpoints hash, secrets hash. ARGV: endpoint id, the secret as stored. Returns 1 or 0.
const PUT_SECRET = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
`;

/** How much of a secret an endpoint's listing shows: `whsec_` and a few characters, to tell secrets apart. */
export const SECRET_HINT_LENGTH = 'whsec_'.length + 4;

/** An endpoint as lists show it: the secret never, only its first characters. */
export type ListedEndpoint = Omit<WebhookEndpoint, 'secret' | 'secretProblem'> & { secretHint: string };

export function listedEndpoint(endpoint: WebhookEndpoint): ListedEndpoint {
  const { secret, secretProblem, ...rest } = endpoint;
  return { ...rest, secretHint: secretProblem ? 'unreadable' : `${secret.slice(0, SECRET_HINT_LENGTH)}…` };
}

/** An endpoint as stored: its JSON without the secret, except a clear one kept by earlier versions. */
type StoredEndpoint = Omit<WebhookEndpoint, 'secret' | 'secretProblem'> & { secret?: string };

/** Lua's cjson writes an empty list back as {}: read that as the empty filter it was. */
function parseEndpoint(raw: string): StoredEndpoint {
  const endpoint = JSON.parse(raw) as StoredEndpoint;
  return { ...endpoint, events: Array.isArray(endpoint.events) ? endpoint.events : [] };
}

export interface EndpointStoreOptions {
  /** WEBHOOK_ALLOW_PRIVATE: URLs on loopback and private networks are accepted. */
  allowPrivate: boolean;
  /** Seals the secrets (from WINNOW_SECRET); without one, no secret is stored and adding an endpoint is refused. */
  sealer: Sealer | null;
  lookup?: HostLookup;
  now?: () => number;
}

export function createEndpointStore(redis: Redis, prefix: string, mailbox: string, options: EndpointStoreOptions) {
  const keys = webhookKeys(prefix, mailbox);
  const now = options.now ?? Date.now;
  const { sealer } = options;
  /** WEBHOOK_SECRET, once configure() was told it: the WEBHOOK_URL endpoint's secret, which Redis never holds. */
  let configuredSecret: string | null = null;

  /** The endpoint with its secret in clear, or the reason it cannot be read here. */
  function withSecret(stored: StoredEndpoint, kept: string | null | undefined): WebhookEndpoint {
    const { secret: clear, ...endpoint } = stored;
    const read = (secret: string): WebhookEndpoint => ({ ...endpoint, secret, secretProblem: null });
    const unreadable = (problem: string): WebhookEndpoint => ({ ...endpoint, secret: '', secretProblem: problem });
    if (kept === CONFIGURED_SECRET) return configuredSecret ? read(configuredSecret) : unreadable('its secret comes from WEBHOOK_SECRET, which is not set in this process');
    if (kept !== null && kept !== undefined) {
      if (!sealer) return unreadable('its secret is sealed and WINNOW_SECRET is not set in this process');
      try {
        return read(sealer.open(kept));
      } catch (error) {
        return unreadable(`its secret cannot be opened: ${(error as Error).message}`);
      }
    }
    return clear !== undefined ? read(clear) : unreadable('it has no secret stored');
  }

  /** The secret as it is stored: sealed. Without WINNOW_SECRET, none is stored: refused with the advice. */
  function sealed(secret: string): string {
    if (!sealer) throw new WebhookEndpointError(new SecretKeyMissing('A webhook endpoint\'s secret').message);
    return sealer.seal(secret);
  }

  /** The events named, checked; empty means all. */
  function eventFilter(events: readonly string[] | undefined): WebhookEventType[] {
    const unknown = (events ?? []).filter((event) => !isWebhookEventType(event));
    if (unknown.length > 0) throw new WebhookEndpointError(`unknown event${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}`);
    return [...new Set(events as WebhookEventType[] | undefined)];
  }

  async function checkedUrl(url: string): Promise<string> {
    const check = await checkWebhookUrl(url, options);
    if (!check.ok) throw new WebhookEndpointError(check.reason);
    return check.url.href;
  }

  function checkedSecret(secret: string | undefined): string {
    if (secret === undefined) return newWebhookSecret();
    const problem = webhookSecretProblem(secret);
    if (problem) throw new WebhookEndpointError(`the secret ${problem}`);
    return secret;
  }

  async function get(id: string): Promise<WebhookEndpoint | null> {
    const [[, raw], [, kept]] = (await redis.multi().hget(keys.endpoints, id).hget(keys.secrets, id).exec()) as [[Error | null, string | null], [Error | null, string | null]];
    return raw ? withSecret(parseEndpoint(raw), kept) : null;
  }

  /** The endpoint after `raw` (an answer of a Lua script), with its secret read again. */
  async function after(id: string, raw: string | null): Promise<WebhookEndpoint | null> {
    return raw ? withSecret(parseEndpoint(raw), await redis.hget(keys.secrets, id)) : null;
  }

  async function patch(id: string, fields: Partial<Omit<WebhookEndpoint, 'id' | 'secret' | 'secretProblem'>>): Promise<WebhookEndpoint | null> {
    const raw = (await redis.eval(PATCH_ENDPOINT, 1, keys.endpoints, id, JSON.stringify(fields))) as string | null;
    return after(id, raw);
  }

  /** Writes the endpoint's JSON and, apart, its secret as stored (sealed, or CONFIGURED_SECRET). */
  async function put(endpoint: WebhookEndpoint, keptSecret: string): Promise<WebhookEndpoint> {
    const { secret: _secret, secretProblem: _problem, ...stored } = endpoint;
    await redis.multi().hset(keys.endpoints, endpoint.id, JSON.stringify(stored)).hset(keys.secrets, endpoint.id, keptSecret).exec();
    return endpoint;
  }

  async function putSecret(id: string, keptSecret: string): Promise<boolean> {
    return (await redis.eval(PUT_SECRET, 2, keys.endpoints, keys.secrets, id, keptSecret)) === 1;
  }

  return {
    keys,
    get,

    async list(): Promise<WebhookEndpoint[]> {
      const [[, raws], [, kept]] = (await redis.multi().hgetall(keys.endpoints).hgetall(keys.secrets).exec()) as [[Error | null, Record<string, string>], [Error | null, Record<string, string>]];
      const all = Object.entries(raws).map(([id, raw]) => withSecret(parseEndpoint(raw), kept[id]));
      return all.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    },

    /** The endpoints that receive `type` now: on, and with it in their filter (or no filter). */
    async receiving(type: WebhookEventType): Promise<WebhookEndpoint[]> {
      return (await this.list()).filter((endpoint) => endpoint.enabled && (endpoint.events.length === 0 || endpoint.events.includes(type)));
    },

    /** Adds an endpoint after checking its URL (resolved), secret and events; throws WebhookEndpointError with the reason. */
    async add(input: NewEndpoint): Promise<WebhookEndpoint> {
      const url = await checkedUrl(input.url);
      const events = eventFilter(input.events);
      const secret = checkedSecret(input.secret);
      const kept = sealed(secret);
      const endpoint: WebhookEndpoint = {
        id: randomUUID(),
        url,
        secret,
        secretProblem: null,
        events,
        enabled: true,
        description: input.description?.trim() ?? '',
        createdAt: now(),
        disabledAt: null,
        disabledReason: null,
      };
      return put(endpoint, kept);
    },

    /**
     * Changes an endpoint; a new URL is checked again. `enabled` turns it on (its notice goes) or
     * off (by the user). Null when there is no such endpoint.
     */
    async update(id: string, input: Partial<NewEndpoint> & { enabled?: boolean }): Promise<WebhookEndpoint | null> {
      const fields: Parameters<typeof patch>[1] = {};
      // WEBHOOK_URL and WEBHOOK_SECRET would put theirs back at the next start: they are changed there.
      if (id === CONFIGURED_ENDPOINT_ID && (input.secret !== undefined || (input.url !== undefined && input.url.trim() !== (await get(id))?.url))) {
        throw new WebhookEndpointError('the endpoint set by WEBHOOK_URL and WEBHOOK_SECRET gets its URL and secret from them; change them there');
      }
      if (input.url !== undefined) fields.url = await checkedUrl(input.url);
      const secret = input.secret !== undefined ? sealed(checkedSecret(input.secret)) : null;
      if (input.events !== undefined) fields.events = eventFilter(input.events);
      if (input.description !== undefined) fields.description = input.description.trim();
      if (secret !== null && !(await putSecret(id, secret))) return null;
      const changed = await patch(id, fields);
      if (!changed || input.enabled === undefined || input.enabled === changed.enabled) return changed;
      return input.enabled ? this.enable(id) : this.disable(id, 'turned off by you');
    },

    async remove(id: string): Promise<boolean> {
      const [[, removed]] = (await redis.multi().hdel(keys.endpoints, id).hdel(keys.secrets, id).del(keys.deliveries(id)).exec()) as [[Error | null, number]];
      return removed === 1;
    },

    /** Turns an endpoint on again (its notice goes); pending events that were skipped can be replayed from the log. */
    async enable(id: string): Promise<WebhookEndpoint | null> {
      const endpoint = await patch(id, { enabled: true, disabledAt: null, disabledReason: null });
      if (endpoint) await dropNotices(id);
      return endpoint;
    },

    async disable(id: string, reason: string): Promise<WebhookEndpoint | null> {
      return patch(id, { enabled: false, disabledAt: now(), disabledReason: reason });
    },

    /**
     * Turns an endpoint off because it failed for good, and leaves a notice for the overview.
     * Null when it is gone or off already (no second notice).
     */
    async disableAfterFailure(id: string, url: string, reason: string): Promise<WebhookEndpoint | null> {
      const at = now();
      const notice: WebhookNotice = { endpointId: id, url, at, reason };
      const raw = (await redis.eval(DISABLE_AFTER_FAILURE, 2, keys.endpoints, keys.notices, id, String(at), reason, JSON.stringify(notice), String(NOTICE_LOG_LENGTH))) as string | null;
      return after(id, raw);
    },

    /**
     * Makes the endpoint set by WEBHOOK_URL and WEBHOOK_SECRET match them: created, changed, or
     * removed when they are unset. A start with them set turns it on again, since the environment
     * is where the user of the simple case says "try again". The URL is checked like any other.
     * Its secret stays in the environment: Redis holds only CONFIGURED_SECRET in its place.
     * Run at every start, it also seals the secrets earlier versions kept in clear
     * (sealClearSecrets); the warnings are for the start-up log.
     */
    async configure(configured: { url: string; secret: string } | null): Promise<{ endpoint: WebhookEndpoint | null; warnings: string[] }> {
      const warnings: string[] = [];
      if (!configured) {
        configuredSecret = null;
        await this.remove(CONFIGURED_ENDPOINT_ID);
        const clear = await this.sealClearSecrets();
        if (clear) warnings.push(clear);
        return { endpoint: null, warnings };
      }
      // A name that cannot be looked up right now (DNS trouble at start) is kept: every delivery
      // checks it again. One that resolves to a refused address stops here.
      const check = await checkWebhookUrl(configured.url, options);
      if (!check.ok && !check.unresolved) throw new WebhookEndpointError(`WEBHOOK_URL: ${check.reason}`);
      const existing = await get(CONFIGURED_ENDPOINT_ID);
      const endpoint: WebhookEndpoint = {
        id: CONFIGURED_ENDPOINT_ID,
        url: check.ok ? check.url.href : configured.url,
        secret: checkedSecret(configured.secret),
        secretProblem: null,
        events: [],
        enabled: true,
        description: 'WEBHOOK_URL',
        createdAt: existing?.createdAt ?? now(),
        disabledAt: null,
        disabledReason: null,
      };
      configuredSecret = endpoint.secret;
      await put(endpoint, CONFIGURED_SECRET);
      await dropNotices(CONFIGURED_ENDPOINT_ID);
      if (!check.ok) warnings.push(`WEBHOOK_URL: ${check.reason}; each delivery tries again`);
      const clear = await this.sealClearSecrets();
      if (clear) warnings.push(clear);
      return { endpoint, warnings };
    },

    /**
     * Seals, in place, the secrets earlier versions kept in clear in the endpoints' JSON. Without
     * WINNOW_SECRET they stay as they are, and the answer is the warning that says so (null when
     * there is nothing to say).
     */
    async sealClearSecrets(): Promise<string | null> {
      const clear = Object.entries(await redis.hgetall(keys.endpoints))
        .map(([id, raw]) => ({ id, secret: parseEndpoint(raw).secret }))
        .filter((entry): entry is { id: string; secret: string } => typeof entry.secret === 'string' && !isSealed(entry.secret));
      if (clear.length === 0) return null;
      if (!sealer) {
        return `${clear.length} webhook endpoint secret${clear.length === 1 ? ' is' : 's are'} stored in clear in Redis until WINNOW_SECRET is set: set it in .env (e.g. the output of: openssl rand -base64 32) and restart, and Winnow encrypts ${clear.length === 1 ? 'it' : 'them'}`;
      }
      for (const { id, secret } of clear) await redis.eval(SEAL_CLEAR_SECRET, 2, keys.endpoints, keys.secrets, id, secret, sealer.seal(secret));
      return null;
    },

    async record(endpointId: string, delivery: WebhookDelivery): Promise<void> {
      const key = keys.deliveries(endpointId);
      await redis.multi().lpush(key, JSON.stringify(delivery)).ltrim(key, 0, DELIVERY_LOG_LENGTH - 1).exec();
    },

    /** The endpoint's delivery log, newest first. */
    async deliveries(endpointId: string, limit = DELIVERY_LOG_LENGTH): Promise<WebhookDelivery[]> {
      return (await redis.lrange(keys.deliveries(endpointId), 0, limit - 1)).map((raw) => JSON.parse(raw) as WebhookDelivery);
    },

    async notices(): Promise<WebhookNotice[]> {
      return (await redis.lrange(keys.notices, 0, -1)).map((raw) => JSON.parse(raw) as WebhookNotice);
    },

    /**
     * Keeps an event's body for its retries and replays. A person's event is also filed under the
     * person, so that erasing them (forgetPerson) takes it away: the body holds their name,
     * address and answer.
     */
    async keepEvent(eventId: string, event: WebhookEvent | ReturnType<typeof webhookTestEvent>): Promise<void> {
      const multi = redis.multi().set(keys.event(eventId), JSON.stringify(event), 'PX', EVENT_KEEP_MS);
      if (isWebhookEventType(event.type) && 'id' in event.data) {
        const filed = keys.personEvents(event.data.id);
        multi.sadd(filed, eventId).pexpire(filed, EVENT_KEEP_MS);
      }
      await multi.exec();
    },

    /** Removes the kept bodies of every event about a person (erasure); returns how many there were. */
    async forgetPerson(contactId: string): Promise<number> {
      const filed = keys.personEvents(contactId);
      const eventIds = await redis.smembers(filed);
      const [[, removed]] = (await redis.multi().del(...eventIds.map(keys.event), filed).exec()) as [[Error | null, number]];
      return Math.max(0, removed - 1);
    },

    /** The overview's notice of an endpoint goes; the endpoint stays off. */
    async dismissNotice(endpointId: string): Promise<void> {
      await dropNotices(endpointId);
    },

    /** Gives the endpoint a new random secret; the old one signs nothing from now on. Null when there is no such endpoint. */
    async rotateSecret(id: string): Promise<WebhookEndpoint | null> {
      if (id === CONFIGURED_ENDPOINT_ID) throw new WebhookEndpointError('the endpoint set by WEBHOOK_URL and WEBHOOK_SECRET gets its secret from WEBHOOK_SECRET; change it there');
      if (!(await putSecret(id, sealed(newWebhookSecret())))) return null;
      return get(id);
    },

    /** The event's body as sent; null once it is no longer kept. */
    async event(eventId: string): Promise<string | null> {
      return redis.get(keys.event(eventId));
    },
  };

  async function dropNotices(endpointId: string): Promise<void> {
    const all = await redis.lrange(keys.notices, 0, -1);
    const theirs = all.filter((raw) => (JSON.parse(raw) as WebhookNotice).endpointId === endpointId);
    for (const raw of theirs) await redis.lrem(keys.notices, 0, raw);
  }
}

export type EndpointStore = ReturnType<typeof createEndpointStore>;
