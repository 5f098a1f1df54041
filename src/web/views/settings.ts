import { type Platform, platformLabel, PLATFORMS } from '../../vocabulary/platforms.ts';
import type { Settings } from '../../settings/settings.ts';
import type { AuthservSuggestion } from '../../detect/authentication.ts';
import { html, type Html } from '../html.ts';
import { csrfField, layout, type View } from './layout.ts';

/**
 * The settings form: what its fields hold, how a posted form becomes a Settings candidate, and
 * how the page renders. Reading the form is pure, so it is tested with plain inputs.
 */

const UNITS = { days: 86_400_000, hours: 3_600_000, minutes: 60_000 } as const;
type Unit = keyof typeof UNITS;
const UNIT_NAMES = Object.keys(UNITS) as Unit[];

/** The form's fields as text, exactly as the browser sends them back. */
export interface SettingsForm {
  deadlineAmount: string;
  deadlineUnit: string;
  reminder: string;
  reminderAmount: string;
  reminderUnit: string;
  quiet: string;
  quietStart: string;
  quietEnd: string;
  timeZone: string;
  dailyCap: string;
  domainHourlyCap: string;
  breakerHourly: string;
  mode: string;
  dedupeAmount: string;
  dedupeUnit: string;
  expireAmount: string;
  expireUnit: string;
  blockList: string;
  allowList: string;
  platforms: string[];
  /** The digest: off, day or hours; at which hour; every how many hours. */
  digestEvery: string;
  digestHour: string;
  digestHours: string;
  unverifiedMail: string;
  /** 'on' when a platform's reply relay may be used as the address. */
  relays: string;
}

export type SettingsField = Exclude<keyof SettingsForm, 'deadlineUnit' | 'reminderUnit' | 'dedupeUnit' | 'expireUnit' | 'quiet'> | 'deadline' | 'dedupe';

/** Problems by form field, in words a person can act on. */
export type FieldErrors = Partial<Record<SettingsField | 'form', string>>;

const UNVERIFIED_CHOICES: ReadonlyArray<Settings['unverifiedMail']> = ['approve', 'accept', 'ignore'];
const UNVERIFIED_PROBLEM = 'Choose what becomes of requests whose sender could not be verified.';

/** A duration as an amount in the largest unit that shows it exactly (decimals when none does). */
function durationFields(ms: number, smallest: Unit = 'minutes'): { amount: string; unit: Unit } {
  for (const unit of UNIT_NAMES) {
    if (ms % UNITS[unit] === 0) return { amount: String(ms / UNITS[unit]), unit };
    if (unit === smallest) break;
  }
  return { amount: String(Number((ms / UNITS[smallest]).toFixed(3))), unit: smallest };
}

/** The form as it shows saved settings. */
export function settingsToForm(settings: Settings): SettingsForm {
  const deadline = durationFields(settings.deadlineMs);
  const reminder = durationFields(settings.reminderAfterMs ?? 3 * UNITS.days);
  const dedupe = durationFields(settings.dedupeWindowMs);
  const expire = durationFields(settings.expireAfterMs);
  return {
    deadlineAmount: deadline.amount,
    deadlineUnit: deadline.unit,
    reminder: settings.reminderAfterMs === null ? 'off' : 'on',
    reminderAmount: reminder.amount,
    reminderUnit: reminder.unit,
    quiet: settings.quietHours ? 'on' : 'off',
    quietStart: settings.quietHours?.start ?? '21:00',
    quietEnd: settings.quietHours?.end ?? '08:00',
    timeZone: settings.timeZone,
    dailyCap: settings.dailyCap === null ? '' : String(settings.dailyCap),
    domainHourlyCap: settings.domainHourlyCap === null ? '' : String(settings.domainHourlyCap),
    breakerHourly: settings.breakerHourly === null ? '' : String(settings.breakerHourly),
    mode: settings.mode,
    dedupeAmount: dedupe.amount,
    dedupeUnit: dedupe.unit,
    expireAmount: expire.amount,
    expireUnit: expire.unit,
    blockList: settings.blockList.join('\n'),
    allowList: settings.allowList.join('\n'),
    platforms: PLATFORMS.filter((platform) => settings.platforms[platform]),
    digestEvery: settings.digest.every,
    digestHour: String(settings.digest.hour),
    digestHours: String(settings.digest.hours),
    unverifiedMail: settings.unverifiedMail,
    relays: settings.sendToRelays ? 'on' : 'off',
  };
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : '';
  return '';
}

/** The posted body as form fields: absent fields are empty, repeated ones (checkboxes) a list. */
export function formFromBody(body: unknown): SettingsForm {
  const fields = (body ?? {}) as Record<string, unknown>;
  const platforms = fields.platforms;
  return {
    deadlineAmount: text(fields.deadlineAmount),
    deadlineUnit: text(fields.deadlineUnit),
    reminder: text(fields.reminder),
    reminderAmount: text(fields.reminderAmount),
    reminderUnit: text(fields.reminderUnit),
    quiet: text(fields.quiet),
    quietStart: text(fields.quietStart),
    quietEnd: text(fields.quietEnd),
    timeZone: text(fields.timeZone),
    dailyCap: text(fields.dailyCap),
    domainHourlyCap: text(fields.domainHourlyCap),
    breakerHourly: text(fields.breakerHourly),
    mode: text(fields.mode),
    dedupeAmount: text(fields.dedupeAmount),
    dedupeUnit: text(fields.dedupeUnit),
    expireAmount: text(fields.expireAmount),
    expireUnit: text(fields.expireUnit),
    blockList: text(fields.blockList),
    allowList: text(fields.allowList),
    platforms: (Array.isArray(platforms) ? platforms : [platforms]).filter((p): p is string => typeof p === 'string'),
    digestEvery: text(fields.digestEvery) || 'off',
    digestHour: text(fields.digestHour) || '8',
    digestHours: text(fields.digestHours) || '6',
    unverifiedMail: text(fields.unverifiedMail),
    relays: text(fields.relays),
  };
}

function duration(amount: string, unit: string, label: string, errors: FieldErrors, field: SettingsField): number | undefined {
  const trimmed = amount.trim().replace(',', '.');
  if (trimmed === '') {
    errors[field] = `Enter ${label}.`;
    return undefined;
  }
  const value = Number(trimmed);
  if (!/^\d+(\.\d+)?$/.test(trimmed) || !Number.isFinite(value) || value <= 0) {
    errors[field] = `Enter ${label} as a number greater than 0, such as 7.`;
    return undefined;
  }
  const size = UNITS[unit as Unit];
  if (size === undefined) {
    errors[field] = `Choose days, hours or minutes for ${label}.`;
    return undefined;
  }
  return Math.round(value * size);
}

const LIMIT_PROBLEM = 'Enter a whole number from 1 to 100000, or leave it empty for no limit.';

/** A count limit as typed: empty for none, else a whole number in range. */
/** A count from 1 to 100000, null for "no limit" (empty), undefined when wrong (the error is noted). */
function limit(value: string, field: 'dailyCap' | 'domainHourlyCap' | 'breakerHourly', errors: FieldErrors): number | null | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  const count = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || count < 1 || count > 100_000) {
    errors[field] = field === 'dailyCap' ? 'Enter a whole number from 1 to 100000, or leave it empty for no cap.' : LIMIT_PROBLEM;
    return undefined;
  }
  return count;
}

function lines(value: string): string[] {
  return value
    .split(/\r?\n|,/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * Reads a posted settings form. Returns the problems found in the form itself, each by field, and
 * a whole candidate for the store's own check (settingsProblems), where a field the form could
 * not read keeps its value from `fallback` (the settings in force). Both checks run on every post,
 * so every problem shows at once.
 */
export function readSettingsForm(form: SettingsForm, fallback: Settings): { candidate: Settings; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const deadlineMs = duration(form.deadlineAmount, form.deadlineUnit, 'the deadline', errors, 'deadline');
  const reminderOn = form.reminder === 'on';
  const reminderAfterMs = reminderOn ? duration(form.reminderAmount, form.reminderUnit, 'when the reminder goes out', errors, 'reminderAmount') : null;
  const quietOn = form.quiet === 'on';
  const clock = /^([01]\d|2[0-3]):[0-5]\d$/;
  if (quietOn && !clock.test(form.quietStart)) errors.quietStart = 'Enter a time of day such as 21:00.';
  if (quietOn && !clock.test(form.quietEnd)) errors.quietEnd = 'Enter a time of day such as 08:00.';
  if (quietOn && !errors.quietStart && form.quietStart === form.quietEnd) errors.quietEnd = 'The quiet hours must end at another time than they start.';
  const timeZone = form.timeZone.trim();
  if (timeZone === '') errors.timeZone = 'Enter a time zone such as Europe/Berlin, or UTC.';
  const dailyCap = limit(form.dailyCap, 'dailyCap', errors);
  const domainHourlyCap = limit(form.domainHourlyCap, 'domainHourlyCap', errors);
  const breakerHourly = limit(form.breakerHourly, 'breakerHourly', errors);
  const modeKnown = form.mode === 'hands_off' || form.mode === 'approval';
  if (!modeKnown) errors.mode = 'Choose whether scripts go out on their own or wait for your approval.';
  const unverifiedKnown = UNVERIFIED_CHOICES.includes(form.unverifiedMail as Settings['unverifiedMail']);
  if (!unverifiedKnown) errors.unverifiedMail = UNVERIFIED_PROBLEM;
  const dedupeWindowMs = duration(form.dedupeAmount, form.dedupeUnit, 'the dedupe window', errors, 'dedupe');
  const expireAfterMs = duration(form.expireAmount, form.expireUnit, 'how long unanswered requests are kept', errors, 'expireAmount');
  const unknown = form.platforms.filter((platform) => !(PLATFORMS as readonly string[]).includes(platform));
  if (unknown.length > 0) errors.platforms = `Unknown platform: ${unknown.join(', ')}.`;
  if (!['off', 'day', 'hours'].includes(form.digestEvery)) errors.digestEvery = 'Choose no digest, a daily one, or one every few hours.';
  const digestHour = Number(form.digestHour.trim());
  if (!/^\d{1,2}$/.test(form.digestHour.trim()) || digestHour > 23) errors.digestHour = 'Enter an hour from 0 to 23.';
  const digestHours = Number(form.digestHours.trim());
  if (!/^\d{1,2}$/.test(form.digestHours.trim()) || digestHours < 1 || digestHours > 24) errors.digestHours = 'Enter a number of hours from 1 to 24.';

  const on = new Set(form.platforms);
  const quietValid = quietOn && !errors.quietStart && !errors.quietEnd;
  return {
    candidate: {
      deadlineMs: deadlineMs ?? fallback.deadlineMs,
      reminderAfterMs: reminderOn ? (reminderAfterMs ?? fallback.reminderAfterMs) : null,
      quietHours: quietOn ? (quietValid ? { start: form.quietStart, end: form.quietEnd } : fallback.quietHours) : null,
      timeZone: timeZone === '' ? fallback.timeZone : timeZone,
      dailyCap: dailyCap === undefined ? fallback.dailyCap : dailyCap,
      domainHourlyCap: domainHourlyCap === undefined ? fallback.domainHourlyCap : domainHourlyCap,
      breakerHourly: breakerHourly === undefined ? fallback.breakerHourly : breakerHourly,
      expireAfterMs: expireAfterMs ?? fallback.expireAfterMs,
      mode: modeKnown ? (form.mode as Settings['mode']) : fallback.mode,
      dedupeWindowMs: dedupeWindowMs ?? fallback.dedupeWindowMs,
      blockList: lines(form.blockList),
      allowList: lines(form.allowList),
      platforms: Object.fromEntries(PLATFORMS.map((platform) => [platform, on.has(platform)])) as Record<Platform, boolean>,
      unverifiedMail: unverifiedKnown ? (form.unverifiedMail as Settings['unverifiedMail']) : fallback.unverifiedMail,
      sendToRelays: form.relays === 'on',
      digest: {
        every: errors.digestEvery ? fallback.digest.every : (form.digestEvery as Settings['digest']['every']),
        hour: errors.digestHour ? fallback.digest.hour : digestHour,
        hours: errors.digestHours ? fallback.digest.hours : digestHours,
      },
    },
    errors,
  };
}

/** Where on the form a problem that SettingsStore found belongs, and how to say it there. */
export function fieldOfProblem(problem: { field: string; message: string }, form: SettingsForm): { field: SettingsField | 'form'; message: string } {
  const [top, index] = problem.field.split('.');
  const listLine = (list: string) => {
    const entry = index === undefined ? undefined : lines(list)[Number(index)];
    return entry === undefined ? problem.message : `"${entry}" ${problem.message}.`;
  };
  switch (top) {
    case 'deadlineMs':
      return { field: 'deadline', message: `The deadline must be between 1 second and 365 days.` };
    case 'reminderAfterMs':
      return { field: 'reminderAmount', message: problem.message === 'must come before the deadline' ? 'The reminder must go out before the deadline.' : 'The reminder must come between 1 minute and 365 days after the script.' };
    case 'quietHours':
      return { field: index === 'start' ? 'quietStart' : 'quietEnd', message: index === undefined ? 'The quiet hours must end at another time than they start.' : `Enter a time of day such as 21:00.` };
    case 'timeZone':
      return { field: 'timeZone', message: `"${form.timeZone.trim()}" is not a time zone; use a name such as Europe/Berlin, America/New_York or UTC.` };
    case 'dailyCap':
      return { field: 'dailyCap', message: 'Enter a whole number from 1 to 100000, or leave it empty for no cap.' };
    case 'domainHourlyCap':
    case 'breakerHourly':
      return { field: top, message: LIMIT_PROBLEM };
    case 'expireAfterMs':
      return { field: 'expireAmount', message: 'Keep them between 1 day and 3650 days.' };
    case 'mode':
      return { field: 'mode', message: 'Choose whether scripts go out on their own or wait for your approval.' };
    case 'dedupeWindowMs':
      return { field: 'dedupe', message: 'The dedupe window must be between 1 minute and 3650 days.' };
    case 'blockList':
      return { field: 'blockList', message: listLine(form.blockList) };
    case 'allowList':
      return { field: 'allowList', message: listLine(form.allowList) };
    case 'platforms':
      return { field: 'platforms', message: problem.message };
    case 'digest':
      return { field: index === 'hour' ? 'digestHour' : index === 'hours' ? 'digestHours' : 'digestEvery', message: problem.message };
    case 'unverifiedMail':
      return { field: 'unverifiedMail', message: UNVERIFIED_PROBLEM };
    case 'sendToRelays':
      return { field: 'relays', message: problem.message };
    default:
      return { field: 'form', message: `${problem.field}: ${problem.message}` };
  }
}

// ---- rendering --------------------------------------------------------------------------------

function errorId(field: string): string {
  return `${field}-error`;
}

/** The error beside a field, and the attributes that tie it to the control. */
function fieldError(errors: FieldErrors, field: SettingsField): { message: Html | null; attributes: Html | null } {
  const message = errors[field];
  if (!message) return { message: null, attributes: null };
  return {
    message: html`<p class="field-error" id="${errorId(field)}">${message}</p>`,
    attributes: html` aria-invalid="true" aria-describedby="${errorId(field)}"`,
  };
}

function unitSelect(name: string, label: string, value: string, units: readonly Unit[] = UNIT_NAMES): Html {
  return html`<select name="${name}" id="${name}" aria-label="${label}">
    ${units.map((unit) => html`<option value="${unit}"${unit === value ? html` selected` : null}>${unit}</option>`)}
  </select>`;
}

function checked(condition: boolean): Html | null {
  return condition ? html` checked` : null;
}

/** Every IANA zone the runtime knows, for the time zone field's suggestions. */
const TIME_ZONES: readonly string[] = (() => {
  const zones = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
})();

export interface SettingsPage {
  form: SettingsForm;
  errors: FieldErrors;
  /** Shown after a save. */
  notice?: string | null;
  /** The receiving server Winnow believes (AUTHSERV_ID), or the one recent mail suggests. */
  receivingServer?: ReceivingServer;
  /**
   * URL of the page's script, which disables the reminder's and the quiet hours' fields while
   * they are off. Without it the page works the same; the fields are only dimmed (app.css).
   */
  script?: string;
  /** The webhooks section (views/webhooks.ts), below the settings form. */
  webhooks?: Html;
}

/** What the page says about AUTHSERV_ID: the one set, or the one that tops most recent mail. */
export interface ReceivingServer {
  configured: string | null;
  suggestion: AuthservSuggestion | null;
}

function receivingServerNote(server: ReceivingServer | undefined): Html | null {
  if (!server) return null;
  if (server.configured) {
    return html`<p class="hint" id="authserv-note">Your receiving server's verdicts are believed: <code>AUTHSERV_ID=${server.configured}</code> (only its Authentication-Results at the top of each mail). Winnow also checks DKIM and DMARC itself.</p>`;
  }
  const found = server.suggestion;
  if (!found) {
    return html`<p class="hint" id="authserv-note"><code>AUTHSERV_ID</code> is not set, and recent mail names no receiving server clearly, so Winnow relies on its own DKIM and DMARC check.</p>`;
  }
  return html`<div class="notice" id="authserv-note"><p><strong>Is <code>${found.id}</code> your receiving server?</strong> It wrote the topmost Authentication-Results of ${found.count} of your last ${found.total} mails. If it is your provider's server, set <code>AUTHSERV_ID=${found.id}</code> and restart, so that its verdicts count too. Winnow does not believe it until you do: anyone can write that header into a mail.</p></div>`;
}

/** Three choices; "accept" carries the warning the issue asks for, in the page itself and beside the choice. */
function unverifiedField(form: SettingsForm, errors: FieldErrors): Html {
  const problem = fieldError(errors, 'unverifiedMail');
  return html`<div class="field">
    <span class="label" id="unverified-label">Unverified senders</span>
    <div class="choices stacked" role="radiogroup" aria-labelledby="unverified-label" aria-describedby="unverified-hint"${problem.attributes}>
      <label><input type="radio" name="unverifiedMail" value="approve"${checked(form.unverifiedMail === 'approve')}> <strong>Wait for my approval</strong> (recommended): the request is listed with the reason; approving sends the script</label>
      <label><input type="radio" name="unverifiedMail" value="accept"${checked(form.unverifiedMail === 'accept')}> <strong>Answer them hands-off</strong>, flagged "unverified"</label>
      <label><input type="radio" name="unverifiedMail" value="ignore"${checked(form.unverifiedMail === 'ignore')}> <strong>Leave them alone</strong>: no person is recorded</label>
    </div>
    <p class="hint" id="unverified-hint">A sender is verified when the mail passes DMARC, or carries a DKIM signature of its From domain (for platform mail, of the platform's domain), as Winnow checks itself or your receiving server reports. The first choice comes from <code>UNVERIFIED_MAIL</code>.</p>
    ${
      form.unverifiedMail === 'accept'
        ? html`<p class="error" role="alert" id="unverified-warning"><strong>Warning:</strong> with unverified senders answered hands-off, anyone can write to you in someone else's name, and Winnow will send your script, from your account, to that person. Addresses found by name (address book, mailbox history) still wait for your approval.</p>`
        : null
    }
    ${problem.message}
  </div>`;
}

export function settingsPage(view: View, model: SettingsPage): Html {
  const { form, errors } = model;
  const csrf = view.session?.csrf ?? '';
  const deadline = fieldError(errors, 'deadline');
  const reminder = fieldError(errors, 'reminderAmount');
  const quietStart = fieldError(errors, 'quietStart');
  const quietEnd = fieldError(errors, 'quietEnd');
  const timeZone = fieldError(errors, 'timeZone');
  const dailyCap = fieldError(errors, 'dailyCap');
  const domainHourlyCap = fieldError(errors, 'domainHourlyCap');
  const breakerHourly = fieldError(errors, 'breakerHourly');
  const expire = fieldError(errors, 'expireAmount');
  const mode = fieldError(errors, 'mode');
  const dedupe = fieldError(errors, 'dedupe');
  const blockList = fieldError(errors, 'blockList');
  const allowList = fieldError(errors, 'allowList');
  const platforms = fieldError(errors, 'platforms');
  const digestHour = fieldError(errors, 'digestHour');
  const digestHours = fieldError(errors, 'digestHours');
  const problemCount = Object.keys(errors).length;

  return layout(
    view,
    { title: 'Settings', section: 'settings', notice: model.notice, scripts: model.script ? [model.script] : [] },
    html`<h1>Settings</h1>
${
  problemCount > 0
    ? html`<div class="error" role="alert" id="settings-errors">
  <p><strong>The settings were not saved.</strong> ${problemCount === 1 ? 'One field needs' : `${problemCount} fields need`} a change; the settings in force are unchanged.</p>
  ${errors.form ? html`<p>${errors.form}</p>` : null}
</div>`
    : null
}
<form class="settings" method="post" action="/settings" novalidate>
${csrfField(csrf)}
<fieldset>
  <legend>Answers</legend>
  <div class="field">
    <label for="deadlineAmount">Deadline for an answer</label>
    <div class="inline">
      <input id="deadlineAmount" name="deadlineAmount" type="text" inputmode="decimal" size="6" value="${form.deadlineAmount}"${deadline.attributes}>
      ${unitSelect('deadlineUnit', 'Unit of the deadline', form.deadlineUnit)}
    </div>
    <p class="hint">After the script, people have this long to answer; then they count as "no response".</p>
    ${deadline.message}
  </div>
  <div class="field">
    <span class="label" id="reminder-label">Reminder</span>
    <div class="choices" role="radiogroup" aria-labelledby="reminder-label">
      <label><input type="radio" name="reminder" value="off"${checked(form.reminder !== 'on')}> Off</label>
      <label><input type="radio" name="reminder" value="on"${checked(form.reminder === 'on')}> Send one reminder</label>
    </div>
    <div class="inline" data-enabled-by="reminder=on">
      <label for="reminderAmount">after</label>
      <input id="reminderAmount" name="reminderAmount" type="text" inputmode="decimal" size="6" value="${form.reminderAmount}"${reminder.attributes}>
      ${unitSelect('reminderUnit', 'Unit of the reminder delay', form.reminderUnit)}
    </div>
    <p class="hint">Counted from the script; it must fall before the deadline. Edit its text under <a href="/templates/reminder">Templates</a>.</p>
    ${reminder.message}
  </div>
</fieldset>

<fieldset>
  <legend>Sending</legend>
  <div class="field">
    <span class="label" id="mode-label">Who sends the scripts</span>
    <div class="choices stacked" role="radiogroup" aria-labelledby="mode-label"${mode.attributes}>
      <label><input type="radio" name="mode" value="hands_off"${checked(form.mode === 'hands_off')}> <strong>Hands-off</strong>: scripts go out on their own</label>
      <label><input type="radio" name="mode" value="approval"${checked(form.mode === 'approval')}> <strong>Approval</strong>: each script waits until you approve it</label>
    </div>
    ${mode.message}
  </div>
  <div class="field">
    <label><input type="checkbox" name="quiet" value="on"${checked(form.quiet === 'on')}> Quiet hours: send nothing between</label>
    <div class="inline" data-enabled-by="quiet=on">
      <label for="quietStart" class="visually-hidden">Quiet hours start (24-hour clock)</label>
      <input id="quietStart" name="quietStart" type="text" inputmode="numeric" pattern="[0-2][0-9]:[0-5][0-9]" placeholder="21:00" size="5" maxlength="5" autocomplete="off" value="${form.quietStart}"${quietStart.attributes}>
      <span aria-hidden="true">and</span>
      <label for="quietEnd" class="visually-hidden">Quiet hours end (24-hour clock)</label>
      <input id="quietEnd" name="quietEnd" type="text" inputmode="numeric" pattern="[0-2][0-9]:[0-5][0-9]" placeholder="08:00" size="5" maxlength="5" autocomplete="off" value="${form.quietEnd}"${quietEnd.attributes}>
    </div>
    <p class="hint">On the 24-hour clock (21:00, not 9 PM), in the time zone below. Scripts due in the quiet hours wait until they end. A window may pass midnight (21:00 to 08:00).</p>
    ${quietStart.message}${quietEnd.message}
  </div>
  <div class="field">
    <label for="timeZone">Time zone</label>
    <input id="timeZone" name="timeZone" type="text" list="time-zones" autocomplete="off" spellcheck="false" value="${form.timeZone}"${timeZone.attributes}>
    <datalist id="time-zones">${TIME_ZONES.map((zone) => html`<option value="${zone}">`)}</datalist>
    <p class="hint">For the quiet hours and the daily cap, such as Europe/Berlin.</p>
    ${timeZone.message}
  </div>
  <div class="field">
    <label for="dailyCap">Daily cap</label>
    <input id="dailyCap" name="dailyCap" type="text" inputmode="numeric" size="8" value="${form.dailyCap}" aria-describedby="dailyCap-hint${errors.dailyCap ? ` ${errorId('dailyCap')}` : ''}"${errors.dailyCap ? html` aria-invalid="true"` : null}>
    <p class="hint" id="dailyCap-hint">At most this many scripts a day; leave it empty for no cap. The rest wait for the next day.</p>
    ${dailyCap.message}
  </div>
  <div class="field">
    <label for="domainHourlyCap">Per domain, each hour</label>
    <input id="domainHourlyCap" name="domainHourlyCap" type="text" inputmode="numeric" size="8" value="${form.domainHourlyCap}" aria-describedby="domainHourlyCap-hint${errors.domainHourlyCap ? ` ${errorId('domainHourlyCap')}` : ''}"${errors.domainHourlyCap ? html` aria-invalid="true"` : null}>
    <p class="hint" id="domainHourlyCap-hint">At most this many scripts to one domain (example.org, gmail.com) in any hour; the rest wait their turn. Empty for no limit.</p>
    ${domainHourlyCap.message}
  </div>
  <div class="field">
    <label for="breakerHourly">Stop sending above</label>
    <input id="breakerHourly" name="breakerHourly" type="text" inputmode="numeric" size="8" value="${form.breakerHourly}" aria-describedby="breakerHourly-hint${errors.breakerHourly ? ` ${errorId('breakerHourly')}` : ''}"${errors.breakerHourly ? html` aria-invalid="true"` : null}>
    <p class="hint" id="breakerHourly-hint">scripts in an hour. More than that looks like a flood: sending pauses, you get one mail and a banner here, and the scripts wait until you resume. Empty for no breaker.</p>
    ${breakerHourly.message}
  </div>
</fieldset>

<fieldset>
  <legend>Who gets a script</legend>
  <div class="field">
    <label for="dedupeAmount">Dedupe window</label>
    <div class="inline">
      <input id="dedupeAmount" name="dedupeAmount" type="text" inputmode="decimal" size="6" value="${form.dedupeAmount}"${dedupe.attributes}>
      ${unitSelect('dedupeUnit', 'Unit of the dedupe window', form.dedupeUnit)}
    </div>
    <p class="hint">Within this window a person gets one script, however often they ask. One mailbox is one person: case, a +tag and Gmail's dots do not count.</p>
    ${dedupe.message}
  </div>
  <div class="field">
    <label for="expireAmount">Forget unanswered requests after</label>
    <div class="inline">
      <input id="expireAmount" name="expireAmount" type="text" inputmode="decimal" size="6" value="${form.expireAmount}"${expire.attributes}>
      ${unitSelect('expireUnit', 'Unit of how long unanswered requests are kept', form.expireUnit)}
    </div>
    <p class="hint">People who were skipped, or who still wait for an address or your approval, are erased once untouched this long.</p>
    ${expire.message}
  </div>
  <div class="field">
    <label for="blockList">Block list</label>
    <textarea id="blockList" name="blockList" rows="4" spellcheck="false" aria-describedby="blockList-hint${errors.blockList ? ` ${errorId('blockList')}` : ''}"${errors.blockList ? html` aria-invalid="true"` : null}>${form.blockList}</textarea>
    <p class="hint" id="blockList-hint">One address (jane@example.org) or domain (example.org) per line. They are never answered.</p>
    ${blockList.message}
  </div>
  <div class="field">
    <label for="allowList">Allow list</label>
    <textarea id="allowList" name="allowList" rows="4" spellcheck="false" aria-describedby="allowList-hint${errors.allowList ? ` ${errorId('allowList')}` : ''}"${errors.allowList ? html` aria-invalid="true"` : null}>${form.allowList}</textarea>
    <p class="hint" id="allowList-hint">One address or domain per line. They are answered even when a rule would skip them (never when their mail failed authentication).</p>
    ${allowList.message}
  </div>
  <fieldset class="platforms"${platforms.attributes}>
    <legend>Platforms</legend>
    <p class="hint">Requests from a platform that is off are recorded as skipped, with no script.</p>
    <div class="choices grid">
      ${PLATFORMS.map((platform) => html`<label><input type="checkbox" name="platforms" value="${platform}"${checked(form.platforms.includes(platform))}> ${platform === 'email' ? 'Personal email' : platformLabel(platform)}</label>`)}
    </div>
    ${platforms.message}
  </fieldset>
  ${unverifiedField(form, errors)}
  <div class="field">
    <label><input type="checkbox" name="relays" value="on" aria-describedby="relays-hint"${checked(form.relays === 'on')}> Send the script to a platform's reply relay</label>
    <p class="hint" id="relays-hint">Some platform messages (LinkedIn InMail) come with a relay address, such as …@reply.linkedin.com, that forwards mail to the sender through the platform. A relay is not the person's own address: the platform decides what reaches them, and may show your mail as a message there. When this is on, someone still waiting for an address gets the script at the relay their message came with, only when the platform's signature on that message passed. Off, the relay is shown on their page and nothing is sent to it.</p>
  </div>
  ${receivingServerNote(model.receivingServer)}
</fieldset>

<fieldset>
  <legend>Digest</legend>
  <p class="hint">A mail to your own address with what needs you: people to send the script to on a platform, answers to decide, approvals. It goes only when something is new, never in the quiet hours, and changes nothing by itself: its links lead to the dashboard.</p>
  <div class="field">
    <label for="digestEvery">Send a digest</label>
    <select id="digestEvery" name="digestEvery">
      ${(
        [
          ['off', 'never'],
          ['day', 'daily, at the hour below'],
          ['hours', 'every few hours, as below'],
        ] as const
      ).map(([value, label]) => html`<option value="${value}"${form.digestEvery === value ? html` selected` : null}>${label}</option>`)}
    </select>
  </div>
  <div class="field">
    <label for="digestHour">Hour of the daily digest (0–23, local time)</label>
    <input id="digestHour" name="digestHour" type="text" inputmode="numeric" size="3" value="${form.digestHour}"${digestHour.attributes}>
    ${digestHour.message}
  </div>
  <div class="field">
    <label for="digestHours">Hours between digests (1–24)</label>
    <input id="digestHours" name="digestHours" type="text" inputmode="numeric" size="3" value="${form.digestHours}"${digestHours.attributes}>
    ${digestHours.message}
  </div>
  <p><a href="/settings/digest">Preview the digest as it would go now</a></p>
</fieldset>

<div class="actions">
  <button type="submit">Save settings</button>
</div>
</form>
${model.webhooks}`,
  );
}
