import { readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The page's scripts and styles: plain files in `assets/dashboard/` of the package (beside `src/` and
 * `dist/`, so one path serves both), read once at start. Nothing is loaded from elsewhere.
 */
export const ASSETS_DIR = fileURLToPath(new URL('../../assets/dashboard/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** One asset, ready to send. */
export interface PageAsset {
  type: string;
  body: Buffer;
}

/** Every asset by file name. */
export function loadAssets(dir = ASSETS_DIR): Map<string, PageAsset> {
  const assets = new Map<string, PageAsset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type !== undefined) assets.set(name, { type, body: readFileSync(`${dir}${name}`) });
  }
  return assets;
}

/** The text of one asset, for inlining into a self-contained HTML file. */
export function assetText(name: string, dir = ASSETS_DIR): string {
  return readFileSync(`${dir}${name}`, 'utf8');
}
