import type { Redis } from 'ioredis';
import { storeScripts } from '../store/scripts.ts';
import { compileScript, formatOf, type CompiledScript, type ScriptKind, type TemplateFormat, type TemplateSource } from './template.ts';

export type { ScriptKind } from './template.ts';

/**
 * One saved version of a template; numbers count up from 1 per kind and are never reused. Its source
 * is one body or the parts apart, as it was saved, so restoring it brings back the same way of editing.
 */
export interface TemplateVersion {
  version: number;
  kind: ScriptKind;
  /** 'one-body' (the HTML part made from the body) or 'separate' (text and HTML written apart). */
  format: TemplateFormat;
  source: TemplateSource;
  savedAt: number;
  note: string;
}

/** A version asked for by number that was never saved. */
export class TemplateVersionNotFound extends Error {
  override readonly name = 'TemplateVersionNotFound';
  readonly kind: ScriptKind;
  readonly version: number;

  constructor(kind: ScriptKind, version: number) {
    super(`there is no version ${version} of the ${kind}`);
    this.kind = kind;
    this.version = version;
  }
}

/** Longest note kept with a version, in characters. */
export const MAX_NOTE_LENGTH = 200;
/** Compiled versions kept in memory per kind: the one in force and a few it may switch back to. */
const CACHED_VERSIONS = 8;

/** What is kept in Redis for a version; its number is the hash field. */
interface StoredVersion {
  source: TemplateSource;
  savedAt: number;
  note: string;
}

/**
 * The user's templates, with history, in Redis under `keyBase` (one of the mailbox's keys, so they
 * share its hash tag). Every version is compiled before it is saved, so what is stored always
 * compiles: a broken template is refused with its TemplateError and the one in force stays. Until
 * the user saves one, the defaults from templates/ are in force (version null).
 *
 * current() is on the send path: it costs one Redis round trip, and compiles a version only the
 * first time this process meets it.
 */
export function createTemplateStore(redis: Redis, keyBase: string, defaults: Record<ScriptKind, CompiledScript>, now: () => number = Date.now) {
  const scripts = storeScripts(redis);
  const keys = {
    latest: (kind: ScriptKind) => `${keyBase}:${kind}:latest`,
    versions: (kind: ScriptKind) => `${keyBase}:${kind}:versions`,
  };
  /** Compiled versions by number, per kind; `null` marks a stored version that no longer compiles. */
  const compiled: Record<ScriptKind, Map<number, CompiledScript | null>> = { script: new Map(), reminder: new Map() };
  const newestCompiled: Record<ScriptKind, number | null> = { script: null, reminder: null };

  function remember(kind: ScriptKind, version: number, script: CompiledScript | null): void {
    const cache = compiled[kind];
    cache.set(version, script);
    if (newestCompiled[kind] === null || version > newestCompiled[kind]) newestCompiled[kind] = version;
    // Maps keep insertion order: the first key is the oldest remembered.
    while (cache.size > CACHED_VERSIONS) cache.delete(cache.keys().next().value!);
  }

  function parseVersion(kind: ScriptKind, version: number, raw: string): TemplateVersion {
    const stored = JSON.parse(raw) as StoredVersion;
    return { version, kind, format: formatOf(stored.source), source: stored.source, savedAt: stored.savedAt, note: stored.note };
  }

  async function save(kind: ScriptKind, source: TemplateSource, note = ''): Promise<TemplateVersion> {
    // Throws TemplateError (part, line, column) for a broken template, before anything is written.
    const script = compileScript(source);
    const stored: StoredVersion = { source: script.source, savedAt: now(), note: cleanNote(note) };
    const version = await scripts.saveTemplate({ latest: keys.latest(kind), versions: keys.versions(kind) }, { version: JSON.stringify(stored) });
    remember(kind, version, script);
    return { version, kind, format: formatOf(stored.source), ...stored };
  }

  return {
    keys,

    /** The template in force for `kind`: the newest saved version, or the default when none is saved. */
    async current(kind: ScriptKind): Promise<{ version: number | null; compiled: CompiledScript }> {
      const newest = newestCompiled[kind];
      const known = newest !== null && compiled[kind].has(newest) ? newest : null;
      const [latest, raw] = await scripts.currentTemplate({ latest: keys.latest(kind), versions: keys.versions(kind) }, { known: known === null ? '' : String(known) });
      if (latest === undefined) return { version: null, compiled: defaults[kind] };
      const version = Number(latest);
      let script = compiled[kind].get(version);
      if (script === undefined) {
        if (!raw) throw new Error(`version ${version} of the ${kind} is missing from Redis`);
        try {
          script = compileScript(parseVersion(kind, version, raw).source);
        } catch {
          // Saved versions compiled when saved; should a later release tighten the rules, the
          // default takes over rather than sending stop. The templates page shows the error on save.
          script = null;
        }
        remember(kind, version, script);
      }
      return script === null ? { version: null, compiled: defaults[kind] } : { version, compiled: script };
    },

    save,

    /** Saved versions of `kind`, newest first. */
    async versions(kind: ScriptKind, limit = 20): Promise<TemplateVersion[]> {
      const latest = Number((await redis.get(keys.latest(kind))) ?? 0);
      const count = Math.min(Math.max(Math.trunc(limit), 0), latest);
      if (count === 0) return [];
      const numbers = Array.from({ length: count }, (_, i) => latest - i);
      const raws = await redis.hmget(keys.versions(kind), ...numbers.map(String));
      return numbers.flatMap((version, i) => {
        const raw = raws[i];
        return raw ? [parseVersion(kind, version, raw)] : [];
      });
    },

    /** Puts an old version back in force by saving a copy of it as the newest; history is never rewritten. */
    async restore(kind: ScriptKind, version: number): Promise<TemplateVersion> {
      const raw = Number.isSafeInteger(version) && version > 0 ? await redis.hget(keys.versions(kind), String(version)) : null;
      if (!raw) throw new TemplateVersionNotFound(kind, version);
      return save(kind, parseVersion(kind, version, raw).source, `restored version ${version}`);
    },
  };
}

export type TemplateStore = ReturnType<typeof createTemplateStore>;

function cleanNote(note: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const flat = String(note).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > MAX_NOTE_LENGTH ? flat.slice(0, MAX_NOTE_LENGTH) : flat;
}
