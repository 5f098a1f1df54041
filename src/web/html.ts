import { escapeHtml } from '../text/html.ts';

/**
 * A tiny HTML template tag. Every interpolated value is escaped unless it is already `Html`
 * (the result of another `html` template or of `raw()`), so mail content (names, subjects,
 * answers: all attacker-controlled) can only ever become text. Arrays are rendered item by item
 * and joined; null, undefined and false render as nothing, so `cond && html`...`` works.
 */

export class Html {
  readonly value: string;

  constructor(value: string) {
    this.value = value;
  }

  toString(): string {
    return this.value;
  }
}

/** Marks a fragment as trusted HTML. Only for markup written in this code base, never for data. */
export function raw(trusted: string): Html {
  return new Html(trusted);
}

export type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value instanceof Html) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + (strings[i + 1] ?? '');
  }
  return new Html(out);
}
