import type { Platform } from '../detect/types.ts';
import { cut, MAX_VARIABLE_LENGTH, type ScriptVariables } from './template.ts';

/** What the script is rendered from; every field but userName comes from received mail. */
export interface ScriptInput {
  name: string;
  firstName: string;
  /** A platform id such as 'linkedin' or 'email'. */
  platform: string;
  /** The user's display name, from MAIL_FROM. */
  userName: string;
  /** Subject of the mail being answered; '' when there is none. */
  originalSubject: string;
}

/** What a script is rendered for: a person as the store keeps them, or the sample person. */
export interface ScriptPerson {
  name: string;
  firstName: string;
  platform: string;
  /** Subject of their request mail. */
  subject: string;
}

/** A made-up requester for previews and test sends, when no real person is chosen. */
export const SAMPLE_PERSON: Readonly<ScriptPerson> = Object.freeze({
  name: 'Sam Sample',
  firstName: 'Sam',
  platform: 'linkedin',
  subject: 'Invitation to connect on LinkedIn',
});

/** The variables of a script (or reminder) for one person, written by the user `userName`. */
export function personVariables(person: ScriptPerson, userName: string): ScriptVariables {
  return scriptVariables({ name: person.name, firstName: person.firstName, platform: person.platform, userName, originalSubject: person.subject });
}

const PLATFORM_LABELS: Readonly<Record<Platform, string>> = {
  linkedin: 'LinkedIn',
  email: 'email',
  facebook: 'Facebook',
  xing: 'XING',
  twitter: 'X',
  instagram: 'Instagram',
  github: 'GitHub',
  meetup: 'Meetup',
};

/**
 * The variables a script template sees: each one a single line of plain text, without control
 * characters, trimmed and at most 200 characters, so a hostile name cannot break the layout of a
 * header or a text part. HTML escaping is the template engine's job, not this one's.
 */
export function scriptVariables(input: ScriptInput): ScriptVariables {
  const firstName = clean(input.firstName);
  return {
    name: clean(input.name),
    firstName,
    platform: platformLabel(input.platform),
    userName: clean(input.userName),
    originalSubject: clean(stripReplyPrefixes(clean(input.originalSubject))),
    greeting: greeting(firstName),
  };
}

/**
 * "Hi Ada," or, when the request does not tell a first name, "Hi there,": the conditional every
 * script starts with, as one variable, so a template needs no {{#if}} for it. Someone writing in
 * another language uses {{#if firstName}}…{{else}}…{{/if}} with their own words (the editor inserts it).
 */
export function greeting(firstName: string): string {
  return firstName === '' ? 'Hi there,' : `Hi ${firstName},`;
}

/** 'linkedin' → 'LinkedIn'; an id without a label is shown as it is, capitalised. */
export function platformLabel(platform: string): string {
  const id = clean(platform);
  const label = (PLATFORM_LABELS as Readonly<Record<string, string>>)[id.toLowerCase()];
  if (label !== undefined) return label;
  return id.charAt(0).toUpperCase() + id.slice(1);
}

function clean(value: unknown): string {
  if (typeof value !== 'string') return '';
  const flat = value
    // Line breaks (including Unicode's), tabs and other C0/C1 controls become one space.
    // eslint-disable-next-line no-control-regex -- control characters are what this removes
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    // Invisible direction overrides could make the text read differently from what it is.
    .replace(/[\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return cut(flat, MAX_VARIABLE_LENGTH).trimEnd();
}

/**
 * "Re: Re: Invitation" → "Invitation": the template adds its own "Re: ", and a doubled prefix
 * looks automated. Covers the prefixes common mail clients write (Re, German AW, Nordic SV and VS,
 * Dutch Antw, Italian RIF), with or without a count such as "Re[2]:".
 */
function stripReplyPrefixes(subject: string): string {
  return subject.replace(/^(?:\s*(?:re|aw|sv|vs|antw|rif)\s*(?:\[\d+\])?\s*:\s*)+/i, '');
}
