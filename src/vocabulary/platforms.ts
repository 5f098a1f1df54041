/**
 * Where a request comes from: a social platform's notification, or a person's own email. The one
 * list of platforms and the one name of each, for the dashboard, the script, the digest and the
 * reasons on a timeline alike.
 */
export const PLATFORMS = ['linkedin', 'facebook', 'xing', 'twitter', 'instagram', 'github', 'meetup', 'email'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The platform's name as its users know it. A request that came by mail is "email". */
export const PLATFORM_LABELS: Readonly<Record<Platform, string>> = {
  linkedin: 'LinkedIn',
  facebook: 'Facebook',
  xing: 'XING',
  twitter: 'X',
  instagram: 'Instagram',
  github: 'GitHub',
  meetup: 'Meetup',
  email: 'email',
};

export function isPlatform(value: unknown): value is Platform {
  return typeof value === 'string' && (PLATFORMS as readonly string[]).includes(value);
}

/** 'linkedin' → 'LinkedIn'; an id that is no platform of ours (a template preview's, say) is shown capitalised. */
export function platformLabel(platform: string): string {
  const id = platform.toLowerCase();
  return isPlatform(id) ? PLATFORM_LABELS[id] : platform.charAt(0).toUpperCase() + platform.slice(1);
}
