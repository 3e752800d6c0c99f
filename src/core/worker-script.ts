import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The compiled file of a worker thread, `file` beside the module at `moduleUrl`. Built code finds it
 * next to itself; under a TypeScript test runner (sources in `src/`) it is the same path in `dist/`.
 */
export function workerScript(file: string, moduleUrl: string): URL {
  const here = new URL(file, moduleUrl);
  const path = fileURLToPath(here);
  if (existsSync(path)) return here;
  return pathToFileURL(path.replace(/([\\/])src([\\/])(?!.*[\\/]src[\\/])/, '$1dist$2'));
}
