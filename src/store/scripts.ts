import { readFileSync } from 'node:fs';
import type { ChainableCommander, Redis } from 'ioredis';

/**
 * The Lua scripts Winnow runs in Redis, each a file in ./lua with its KEYS and ARGV documented at
 * the top, registered once per client with ioredis's defineCommand (EVALSHA, with EVAL when Redis
 * has not seen the script yet). Callers use the typed wrappers below: keys by name, not by place.
 */

const LUA = new URL('./lua/', import.meta.url);
/** `--- @include "name"` pulls in ./lua/includes/name.lua (as BullMQ's scripts do), so shared Lua is written once. */
const INCLUDE = /^--- @include "([a-z-]+)"$/gm;

/** The text of one script, its includes in place. */
export function luaScript(name: string): string {
  return readFileSync(new URL(`${name}.lua`, LUA), 'utf8').replace(INCLUDE, (_line, include: string) => readFileSync(new URL(`includes/${include}.lua`, LUA), 'utf8'));
}

/** Each script's file and its number of keys (null: the caller passes the count, the script takes a variable number). */
export const SCRIPTS = {
  claimSend: 2,
  whilePresent: 2,
  createContact: null,
  transition: null,
  updateContact: 5,
  noteMail: 4,
  takeSendSlot: 4,
  eraseContact: null,
  claimDedupe: 4,
  releaseDedupe: 2,
  claimPauseNotice: 1,
  notePauseNotice: 1,
  saveTemplate: 2,
  currentTemplate: 2,
  keepLatestWritten: 1,
  advanceHistoryCursor: 1,
  renewLease: 1,
  keepTokens: 2,
  releaseLease: 1,
  advanceCursor: 1,
  countFailedLogin: 4,
} as const satisfies Record<string, number | null>;

export type ScriptName = keyof typeof SCRIPTS;

/** The file of a script in ./lua, without .lua: claimSend → claim-send. */
export function fileOf(name: ScriptName): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

type Command = (...args: string[]) => Promise<unknown>;

const defined = new WeakSet<Redis>();

/** Registers every script on this client once; later pipelines made from it have them too. */
function define(redis: Redis): void {
  if (defined.has(redis)) return;
  for (const [name, numberOfKeys] of Object.entries(SCRIPTS)) {
    redis.defineCommand(name, { lua: luaScript(fileOf(name as ScriptName)), ...(numberOfKeys === null ? {} : { numberOfKeys }) });
  }
  defined.add(redis);
}

/** Runs a script on `target` (a client, or a pipeline made from a client that `storeScripts` has seen). */
function call(target: object, name: ScriptName, keys: readonly string[], args: readonly string[]): Promise<unknown> {
  const command = (target as Record<string, Command | undefined>)[name];
  if (!command) throw new Error(`the Redis script ${name} is not registered on this client`);
  const variable = SCRIPTS[name] === null ? [String(keys.length)] : [];
  return command.call(target, ...variable, ...keys, ...args);
}

/** The scripts of one Redis client, typed: each takes its keys by name and its arguments as strings. */
export function storeScripts(redis: Redis) {
  define(redis);
  const run = (name: ScriptName, keys: readonly string[], args: readonly string[]) => call(redis, name, keys, args);
  return {
    async claimSend(keys: { ledger: string; contact: string }, args: { owner: string; messageId: string; now: number; claimMs: number }) {
      return (await run('claimSend', [keys.ledger, keys.contact], [args.owner, args.messageId, String(args.now), String(args.claimMs)])) as ['sent' | 'busy' | 'claimed' | 'missing', string];
    },
    /** Sets a mailbox's renewed token fields while `lock` still holds `owner`; 1 kept, 0 lock lost, -1 mailbox gone. */
    async keepTokens(keys: { record: string; lock: string }, owner: string, fields: Record<string, string>) {
      return (await run('keepTokens', [keys.record, keys.lock], [owner, ...Object.entries(fields).flat()])) as 1 | 0 | -1;
    },
    async whilePresent(keys: { contact: string; target: string }, command: 'RPUSH' | 'HSET' | 'HSETNX' | 'SET', args: readonly string[]) {
      return (await run('whilePresent', [keys.contact, keys.target], [command, ...args])) as number | string | null;
    },
    async createContact(
      keys: { contact: string; events: string; byUpdate: string; byStatus: string; address: string; version: string; changes: string; dedupeOf: string; dedupe: string[]; forgotten: string[]; legacyForgotten: string[] },
      args: { id: string; contact: string; event: string; now: number; dedupeWindowMs: number; indexAddress: boolean },
    ) {
      return (await run(
        'createContact',
        [keys.contact, keys.events, keys.byUpdate, keys.byStatus, keys.address, keys.version, keys.changes, keys.dedupeOf, ...keys.dedupe, ...keys.forgotten, ...keys.legacyForgotten],
        [String(keys.dedupe.length), args.id, args.contact, args.event, String(args.now), String(args.dedupeWindowMs), args.indexAddress ? '1' : '0'],
      )) as [number, string, string?];
    },
    async transition(
      keys: { contact: string; events: string; byUpdate: string; version: string; changes: string; newAddress: string; oldAddress: string; byStatus: string[] },
      args: { from: readonly string[]; patch: string; to: string; now: number; event: string; statuses: readonly string[]; setsAddress: boolean; previousAddress: string },
    ) {
      return (await run(
        'transition',
        [keys.contact, keys.events, keys.byUpdate, keys.version, keys.changes, keys.newAddress, keys.oldAddress, ...keys.byStatus],
        [JSON.stringify(args.from), args.patch, args.to, String(args.now), args.event, JSON.stringify(args.statuses), args.setsAddress ? '1' : '0', args.previousAddress],
      )) as [number, string];
    },
    async updateContact(keys: { contact: string; events: string; byUpdate: string; version: string; changes: string }, args: { patch: string; now: number; event: string }) {
      return (await run('updateContact', [keys.contact, keys.events, keys.byUpdate, keys.version, keys.changes], [args.patch, String(args.now), args.event])) as 0 | 1;
    },
    async noteMail(keys: { contact: string; events: string; version: string; changes: string }, args: { event: string; type: string; messageId: string; now: number; repeatedRequest: boolean }) {
      return (await run('noteMail', [keys.contact, keys.events, keys.version, keys.changes], [args.event, args.type, args.messageId, String(args.now), args.repeatedRequest ? '1' : '0'])) as
        | 'added'
        | 'counted'
        | 'seen'
        | 'missing';
    },
    async takeSendSlot(
      keys: { sentOn: string; sentToDomain: string; sentLastHour: string; sendingPaused: string },
      args: { script: string; dailyCap: string; domainCap: string; breakerLimit: string; now: number; hourMs: number; keepDayMs: number },
    ) {
      return (await run(
        'takeSendSlot',
        [keys.sentOn, keys.sentToDomain, keys.sentLastHour, keys.sendingPaused],
        [args.script, args.dailyCap, args.domainCap, args.breakerLimit, String(args.now), String(args.hourMs), String(args.keepDayMs)],
      )) as ['ok' | 'paused' | 'daily' | 'domain' | 'tripped', string];
    },
    async eraseContact(
      keys: { contact: string; events: string; byUpdate: string; version: string; changes: string; byStatus: string[]; own: string[]; indexes: string[]; markers: string[] },
      args: { id: string; now: number; onlyIf?: { status: string; statusPlace: number; enteredBefore: number } },
    ) {
      const condition = args.onlyIf ? [args.onlyIf.status, String(args.onlyIf.statusPlace), String(args.onlyIf.enteredBefore)] : [];
      return (await run(
        'eraseContact',
        [keys.contact, keys.events, keys.byUpdate, keys.version, keys.changes, ...keys.byStatus, ...keys.own, ...keys.indexes, ...keys.markers],
        [args.id, String(keys.byStatus.length), String(keys.own.length), String(keys.indexes.length), String(keys.markers.length), String(args.now), ...condition],
      )) as 0 | 1;
    },
    async claimDedupe(keys: { dedupe: string; forgotten: string; dedupeOf: string; legacyForgotten: string }, args: { id: string; dedupeWindowMs: number }) {
      return String(await run('claimDedupe', [keys.dedupe, keys.forgotten, keys.dedupeOf, keys.legacyForgotten], [args.id, String(args.dedupeWindowMs)]));
    },
    async releaseDedupe(keys: { dedupe: string; dedupeOf: string }, args: { id: string }) {
      await run('releaseDedupe', [keys.dedupe, keys.dedupeOf], [args.id]);
    },
    async claimPauseNotice(keys: { sendingPaused: string }) {
      return (await run('claimPauseNotice', [keys.sendingPaused], [])) === 1;
    },
    async notePauseNotice(keys: { sendingPaused: string }, args: { field: 'notifiedAt' | 'notifyError'; value: string }) {
      await run('notePauseNotice', [keys.sendingPaused], [args.field, args.value]);
    },
    async saveTemplate(keys: { latest: string; versions: string }, args: { version: string }) {
      return Number(await run('saveTemplate', [keys.latest, keys.versions], [args.version]));
    },
    async currentTemplate(keys: { latest: string; versions: string }, args: { known: string }) {
      return (await run('currentTemplate', [keys.latest, keys.versions], [args.known])) as [] | [string] | [string, string | null];
    },
    async advanceHistoryCursor(keys: { cursor: string }, args: { path: string; uidValidity: string; lastUid: number }) {
      return (await run('advanceHistoryCursor', [keys.cursor], [args.path, args.uidValidity, String(args.lastUid)])) === 1;
    },
    /** True when this process held the lease and it is renewed for `leaseMs`. */
    async renewLease(keys: { lease: string }, args: { owner: string; leaseMs: number }) {
      return (await run('renewLease', [keys.lease], [args.owner, String(args.leaseMs)])) === 1;
    },
    async releaseLease(keys: { lease: string }, args: { owner: string }) {
      return (await run('releaseLease', [keys.lease], [args.owner])) === 1;
    },
    /** Moves the mailbox cursor forward only, queued on a MULTI made from this client, to be written with what goes with it. */
    advanceCursorIn(multi: ChainableCommander, keys: { cursor: string }, args: { uidValidity: string; lastUid: number }): void {
      void call(multi, 'advanceCursor', [keys.cursor], [args.uidValidity, String(args.lastUid)]);
    },
    async countFailedLogin(
      keys: { blockedUntil: string; burst: string; burstAddresses: string; bursts: string },
      args: { now: number; quietMs: number; budget: number; firstDelayMs: number; maxDelayMs: number; burstThreshold: number; keepMs: number; address: string },
    ) {
      return (await run(
        'countFailedLogin',
        [keys.blockedUntil, keys.burst, keys.burstAddresses, keys.bursts],
        [String(args.now), String(args.quietMs), String(args.budget), String(args.firstDelayMs), String(args.maxDelayMs), String(args.burstThreshold), String(args.keepMs), args.address],
      )) as [number, number, number];
    },
    /** For a pipeline: queues the write of the latest dates the user wrote to these addresses (see keep-latest-written.lua). */
    keepLatestWritten(batch: object, keys: { written: string }, dates: ReadonlyArray<readonly [string, string]>): void {
      void call(batch, 'keepLatestWritten', [keys.written], dates.flat());
    },
  };
}

export type StoreScripts = ReturnType<typeof storeScripts>;
