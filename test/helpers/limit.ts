/**
 * A limit on how many of a file's tasks run at once: `const limited = concurrencyLimit(4)` then
 * `await limited(() => runSluiceAsync(...))`. Tests of a `describe.concurrent` that each start CLI
 * processes use it so that the file does not start more processes than the machine can run next to
 * the other test files (their timings would suffer).
 */
export function concurrencyLimit(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}
