import { facebook } from './facebook.ts';
import { github } from './github.ts';
import { instagram } from './instagram.ts';
import { linkedin } from './linkedin.ts';
import { meetup } from './meetup.ts';
import type { PlatformRules } from './rules.ts';
import { twitter } from './twitter.ts';
import { xing } from './xing.ts';

/**
 * Every platform Winnow reads. A mail belongs to the first platform whose domains send it (From,
 * then Sender and Return-Path), else to the first whose own headers it carries.
 */
export const PLATFORM_RULES: readonly PlatformRules[] = [linkedin, facebook, xing, twitter, instagram, github, meetup];
