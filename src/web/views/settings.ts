import { PLATFORMS, type Platform } from '../../detect/types.ts';
import { platformLabel } from '../../script/render.ts';
import type { Settings } from '../../settings/settings.ts';
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
  mode: string;
  dedupeAmount: string;
  dedupeUnit: string;
  blockList: string;
  allowList: string;
  platforms: string[];
  /** The digest: off, day or hours; at which hour; every how many hours. */
  digestEvery: string;
  digestHour: string;
  digestHours: string;
}

export type SettingsField = Exclude<keyof SettingsForm, 'deadlineUnit' | 'reminderUnit' | 'dedupeUnit' | 'quiet'> | 'deadline' | 'dedupe';

/** Problems by form field, in words a person can act on. */
export type FieldErrors = Partial<Record<SettingsField | 'form', string>>;

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
    mode: settings.mode,
    dedupeAmount: dedupe.amount,
    dedupeUnit: dedupe.unit,
    blockList: settings.blockList.join('\n'),
    allowList: settings.allowList.join('\n'),
    platforms: PLATFORMS.filter((platform) => settings.platforms[platform]),
    digestEvery: settings.digest.every,
    digestHour: String(settings.digest.hour),
    digestHours: String(settings.digest.hours),
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
    mode: text(fields.mode),
    dedupeAmount: text(fields.dedupeAmount),
    dedupeUnit: text(fields.dedupeUnit),
    blockList: text(fields.blockList),
    allowList: text(fields.allowList),
    platforms: (Array.isArray(platforms) ? platforms : [platforms]).filter((p): p is string => typeof p === 'string'),
    digestEvery: text(fields.digestEvery) || 'off',
    digestHour: text(fields.digestHour) || '8',
    digestHours: text(fields.digestHours) || '6',
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

function lines(value: string): string[] {
  return value
    .split(/\r?\n|,/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * Reads a posted settings form. Returns the candidate (for SettingsStore.save, which checks it
 * again) or the problems found in the form itself, each by field.
 */
export function readSettingsForm(form: SettingsForm): { candidate: Settings; errors: null } | { candidate: null; errors: FieldErrors } {
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
  let dailyCap: number | null = null;
  if (form.dailyCap.trim() !== '') {
    const cap = Number(form.dailyCap.trim());
    if (!/^\d+$/.test(form.dailyCap.trim()) || cap < 1 || cap > 100_000) errors.dailyCap = 'Enter a whole number from 1 to 100000, or leave it empty for no cap.';
    else dailyCap = cap;
  }
  if (form.mode !== 'hands_off' && form.mode !== 'approval') errors.mode = 'Choose whether scripts go out on their own or wait for your approval.';
  const dedupeWindowMs = duration(form.dedupeAmount, form.dedupeUnit, 'the dedupe window', errors, 'dedupe');
  const unknown = form.platforms.filter((platform) => !(PLATFORMS as readonly string[]).includes(platform));
  if (unknown.length > 0) errors.platforms = `Unknown platform: ${unknown.join(', ')}.`;
  if (!['off', 'day', 'hours'].includes(form.digestEvery)) errors.digestEvery = 'Choose no digest, a daily one, or one every few hours.';
  const digestHour = Number(form.digestHour.trim());
  if (!/^\d{1,2}$/.test(form.digestHour.trim()) || digestHour > 23) errors.digestHour = 'Enter an hour from 0 to 23.';
  const digestHours = Number(form.digestHours.trim());
  if (!/^\d{1,2}$/.test(form.digestHours.trim()) || digestHours < 1 || digestHours > 24) errors.digestHours = 'Enter a number of hours from 1 to 24.';

  if (Object.keys(errors).length > 0) return { candidate: null, errors };
  const on = new Set(form.platforms);
  return {
    candidate: {
      deadlineMs: deadlineMs!,
      reminderAfterMs: reminderAfterMs ?? null,
      quietHours: quietOn ? { start: form.quietStart, end: form.quietEnd } : null,
      timeZone,
      dailyCap,
      mode: form.mode as Settings['mode'],
      dedupeWindowMs: dedupeWindowMs!,
      blockList: lines(form.blockList),
      allowList: lines(form.allowList),
      platforms: Object.fromEntries(PLATFORMS.map((platform) => [platform, on.has(platform)])) as Record<Platform, boolean>,
      digest: { every: form.digestEvery as Settings['digest']['every'], hour: digestHour, hours: digestHours },
    },
    errors: null,
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
    { title: 'Settings', section: 'settings', notice: model.notice },
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
    <div class="inline">
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
    <div class="inline">
      <label for="quietStart" class="visually-hidden">Quiet hours start</label>
      <input id="quietStart" name="quietStart" type="time" value="${form.quietStart}"${quietStart.attributes}>
      <span aria-hidden="true">and</span>
      <label for="quietEnd" class="visually-hidden">Quiet hours end</label>
      <input id="quietEnd" name="quietEnd" type="time" value="${form.quietEnd}"${quietEnd.attributes}>
    </div>
    <p class="hint">Scripts due in the quiet hours wait until they end. A window may pass midnight (21:00 to 08:00).</p>
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
</fieldset>

<fieldset>
  <legend>Who gets a script</legend>
  <div class="field">
    <label for="dedupeAmount">Dedupe window</label>
    <div class="inline">
      <input id="dedupeAmount" name="dedupeAmount" type="text" inputmode="decimal" size="6" value="${form.dedupeAmount}"${dedupe.attributes}>
      ${unitSelect('dedupeUnit', 'Unit of the dedupe window', form.dedupeUnit)}
    </div>
    <p class="hint">Within this window a person gets one script, however often they ask.</p>
    ${dedupe.message}
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
</form>`,
  );
}
