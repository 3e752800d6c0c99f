import { SluiceError } from './errors.js';

/**
 * The coded error for a native driver (better-sqlite3) built for another Node.js major than the one
 * running (Node was upgraded after `npm ci`), or undefined when `err` is something else. A second
 * load in the same process says only "Module did not self-register".
 */
export function nativeModuleError(err: unknown): SluiceError | undefined {
  const message = err instanceof Error ? err.message : String(err);
  if (!/NODE_MODULE_VERSION|was compiled against a different Node|Module did not self-register/.test(message)) return undefined;
  return new SluiceError(
    'SLUICE_E_NATIVE_MODULE',
    `the SQLite driver (better-sqlite3) was compiled for another Node.js than this one (${process.version}); run: npm rebuild better-sqlite3`,
    { cause: err },
  );
}
