import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Asset {
  /** Path with a content hash, so browsers may cache it for ever and still see a new version. */
  url: string;
  path: string;
  version: string;
  type: string;
  body: Buffer;
}

export interface Assets {
  css: Asset;
  icon: Asset;
  /** The templates page's live preview. */
  templates: Asset;
  /** Copy buttons and "select all" on the people and awaiting-address pages. */
  people: Asset;
  /** Disables the settings that belong to an option while it is off. */
  settings: Asset;
}

/** Finds a file of `src/web/assets/`, beside this module. */
function assetFile(name: string): string {
  const file = fileURLToPath(new URL(`./assets/${name}`, import.meta.url));
  if (!existsSync(file)) throw new Error(`the dashboard asset ${name} was not found at ${file}`);
  return file;
}

function load(name: string, type: string): Asset {
  const body = readFileSync(assetFile(name));
  const version = createHash('sha256').update(body).digest('base64url').slice(0, 10);
  const path = `/assets/${name}`;
  return { url: `${path}?v=${version}`, path, version, type, body };
}

/** Read once at start: a missing file stops the start instead of breaking every page. */
export function loadAssets(): Assets {
  return {
    css: load('app.css', 'text/css; charset=utf-8'),
    icon: load('favicon.svg', 'image/svg+xml'),
    templates: load('templates.js', 'text/javascript; charset=utf-8'),
    people: load('people.js', 'text/javascript; charset=utf-8'),
    settings: load('settings.js', 'text/javascript; charset=utf-8'),
  };
}
