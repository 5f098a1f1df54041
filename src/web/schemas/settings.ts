import { z } from 'zod';
import { settingsSchema } from '../../settings/settings.ts';
import { errorAnswer, formField } from './common.ts';

/** `saved=1`: just saved, so the page says so. */
export const settingsPageQuery = z.object({ saved: z.string().optional() });

/**
 * The settings form: its fields (times with their units, lists one a line, a box per platform)
 * are read by readSettingsForm, which names every wrong one beside it; here only the CSRF token.
 */
export const settingsForm = z.preprocess((body) => body ?? {}, z.looseObject({ _csrf: formField(256) }));

export const settingsAnswer = settingsSchema.describe('The settings in force: saved values over the defaults.');

/** PUT takes the settings as GET gives them; fields left out keep their values, and the whole is checked when merged. */
export const settingsPatch = z
  .record(z.string(), z.unknown(), { error: 'Send the settings as a JSON object, as GET /api/settings returns them.' })
  .describe('Any of the settings, as GET /api/settings gives them; fields left out keep their current values; platforms are merged platform by platform.');

/** Not saved: the store names every wrong field; a body that is no JSON object is refused before. */
export const settingsRefused = z
  .union([
    errorAnswer.extend({
      problems: z
        .array(z.object({ field: z.string().describe('The setting, or a part of it (blockList.2, quietHours.start).'), message: z.string() }))
        .describe('Every wrong field, each with what is wrong.'),
    }),
    errorAnswer,
  ])
  .describe('The settings were not saved: every wrong field is named, or the body is not a JSON object.');
