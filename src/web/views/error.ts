import { html, type Html } from '../html.ts';
import { layout, type View } from './layout.ts';

const TITLES: Record<number, string> = {
  400: 'That request was not understood',
  403: 'Not allowed',
  404: 'Not found',
  429: 'Too many requests',
  502: 'The mail server did not take it',
};

export function errorPage(view: View, statusCode: number, message: string): Html {
  const title = TITLES[statusCode] ?? (statusCode >= 500 ? 'Something went wrong' : 'That did not work');
  return layout(
    view,
    { title },
    html`<h1>${title}</h1>
<p>${message}</p>
${view.session ? html`<p><a href="/">Back to the overview</a></p>` : html`<p><a href="/login">Log in</a></p>`}`,
  );
}
