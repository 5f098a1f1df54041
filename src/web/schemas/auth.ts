import { z } from 'zod';
import { formBody, formField, localPathField } from './common.ts';

/** Logout and the other one-button forms of the dashboard: the CSRF token only. */
export const csrfForm = formBody({});

/** `next`: where to go after logging in, a path of this dashboard (anything else is dropped). */
export const loginForm = formBody({ password: formField(1024), next: localPathField });

// `out`: just logged out, so the form says so.
export const loginQuery = z.object({ next: localPathField, out: z.literal('1').optional() });
