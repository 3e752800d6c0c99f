import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { startServer, type RunningServer } from '../../src/server/run-serve.js';
import { ServeConfigSchema, type ServeConfig } from '../../src/server/serve-config.js';

/** An MP4 head (`ftyp isom`) followed by `size - 24` random bytes. */
export function mp4Bytes(size: number): Buffer {
  const head = Buffer.from('00000018667479706973766d00000200697376326d703431', 'hex');
  head.write('ftypisom', 4, 'latin1');
  return Buffer.concat([head, randomBytes(Math.max(0, size - head.length))]);
}

/** A WebM head (EBML magic with DocType webm) followed by random bytes. */
export function webmBytes(size: number): Buffer {
  const head = Buffer.from('1a45dfa39f4286810142f7810142f2810442f381084282847765626d', 'hex');
  return Buffer.concat([head, randomBytes(Math.max(0, size - head.length))]);
}

/** A server on a free loopback port with a fresh folder store. */
export async function startTestServer(overrides: Partial<ServeConfig> = {}): Promise<RunningServer & { root: string }> {
  const root = join(tempDir('sluice-serve-'), 'store');
  const config = ServeConfigSchema.parse({ store: `file:${root}`, port: 0, logLevel: 'silent', ...overrides });
  const server = await startServer(config);
  return Object.assign(server, { root });
}

/** A multipart form of the seed's shape. */
export function ldoForm(metadata: unknown, video?: { bytes: Buffer; name?: string; type?: string }): FormData {
  const form = new FormData();
  if (video) form.append('video', new Blob([video.bytes], { type: video.type ?? 'video/mp4' }), video.name ?? 'clip.mp4');
  form.append('metadata', typeof metadata === 'string' ? metadata : JSON.stringify(metadata));
  return form;
}

/** POSTs a form and returns status and JSON body. */
export async function postLdo(url: string, form: FormData, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${url}/ingest/ldo`, { method: 'POST', body: form, headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

/** Every file under a folder, relative, sorted (the `.sluice` registry folder left out). */
export function filesUnder(root: string): string[] {
  try {
    return (readdirSync(root, { recursive: true, withFileTypes: true }) as Array<{ name: string; parentPath?: string; path?: string; isFile(): boolean }>)
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath ?? e.path ?? '', e.name).slice(root.length + 1))
      .filter((p) => !p.startsWith('.sluice'))
      .sort();
  } catch {
    return [];
  }
}
