import { escapeHtml as esc } from '../../../src/text/html.ts';

/**
 * A small HTML builder for the held-out cases: table layout, a hidden preheader, a logo, an
 * optional photo, lines of text, buttons and a footer, the way platform notifications are laid
 * out. Written for this held-out set from general knowledge of how such mail looks; it is not a
 * copy of any platform's template. Every message built with it is constructed.
 */

export interface PlatformHtml {
  lang: string;
  title?: string;
  preheader: string;
  logo: { src: string; alt: string; href: string };
  /** Colour of the buttons. */
  accent: string;
  photo?: { src: string; href: string; alt?: string };
  heading?: string;
  lines: string[];
  /** A quoted note from the person, shown in a grey box. */
  quote?: string;
  buttons: Array<[label: string, href: string]>;
  footer: string[];
  /** A tracking pixel, as most platforms add. */
  pixel?: string;
}

export function platformHtml(p: PlatformHtml): string {
  const rows: string[] = [];
  rows.push(
    `<tr><td style="padding:16px 24px;border-bottom:1px solid #e6e9ec"><a href="${esc(p.logo.href)}"><img src="${esc(p.logo.src)}" alt="${esc(p.logo.alt)}" height="28" border="0" style="display:block"></a></td></tr>`,
  );
  if (p.photo) {
    rows.push(
      `<tr><td style="padding:24px 24px 0 24px"><a href="${esc(p.photo.href)}"><img src="${esc(p.photo.src)}" alt="${esc(p.photo.alt ?? '')}" width="72" height="72" style="border-radius:50%;display:block"></a></td></tr>`,
    );
  }
  if (p.heading) {
    rows.push(`<tr><td style="padding:16px 24px 0 24px;font-size:20px;font-weight:600;color:#191919">${esc(p.heading)}</td></tr>`);
  }
  for (const line of p.lines) {
    rows.push(`<tr><td style="padding:8px 24px 0 24px;font-size:15px;line-height:1.4;color:#333333">${esc(line)}</td></tr>`);
  }
  if (p.quote) {
    rows.push(
      `<tr><td style="padding:12px 24px 0 24px"><div style="background:#f3f2ef;border-radius:8px;padding:12px;font-size:14px;color:#333333">${esc(p.quote).replace(/\n/g, '<br>')}</div></td></tr>`,
    );
  }
  if (p.buttons.length > 0) {
    const cells = p.buttons
      .map(
        ([label, href], index) =>
          `<td style="padding-right:8px"><a href="${esc(href)}" style="display:inline-block;padding:10px 18px;border-radius:20px;text-decoration:none;font-weight:600;${
            index === 0 ? `background:${p.accent};color:#ffffff` : `border:1px solid ${p.accent};color:${p.accent}`
          }">${esc(label)}</a></td>`,
      )
      .join('');
    rows.push(`<tr><td style="padding:20px 24px"><table cellpadding="0" cellspacing="0" border="0"><tr>${cells}</tr></table></td></tr>`);
  }
  const footer = p.footer.map((line) => `<p style="margin:4px 0;font-size:12px;color:#6f6f6f">${esc(line)}</p>`).join('\n');
  return [
    `<!DOCTYPE html><html lang="${esc(p.lang)}"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><meta name="viewport" content="width=device-width">`,
    `<title>${esc(p.title ?? '')}</title></head>`,
    '<body style="margin:0;padding:0;background:#f3f2ef;font-family:-apple-system,system-ui,Helvetica,Arial,sans-serif">',
    `<div style="display:none;max-height:0;overflow:hidden;opacity:0">${esc(p.preheader)}</div>`,
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f3f2ef"><tr><td align="center">',
    '<table role="presentation" width="512" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style="max-width:512px">',
    ...rows,
    `<tr><td style="padding:16px 24px;background:#f9fafb">${footer}</td></tr>`,
    '</table></td></tr></table>',
    p.pixel ? `<img src="${esc(p.pixel)}" width="1" height="1" alt="" style="display:block">` : '',
    '</body></html>',
  ].join('\n');
}

/** A plain personal HTML part as webmail clients write it (Gmail-style div per line). */
export function webmailHtml(text: string): string {
  const body = text
    .split('\n')
    .map((line) => (line.trim() === '' ? '<div><br></div>' : `<div>${esc(line)}</div>`))
    .join('');
  return `<div dir="ltr">${body}</div>\n`;
}
