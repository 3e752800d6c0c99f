import { watch, type FSWatcher } from 'node:fs';

/**
 * Wakes the follower when a watched folder changes (inotify through `fs.watch`) or every `pollMs`
 * as a fallback (network file systems, a folder that does not exist yet, missed events), or at once
 * when the stop signal fires.
 */
export class WakeSignal {
  private watcher: FSWatcher | undefined;
  private wakeUp: (() => void) | undefined;
  private changed = false;
  private folderEvent = true;

  constructor(
    private readonly folder: string,
    private readonly pollMs: number,
    private readonly stop: AbortSignal,
    /** Names in the folder that matter; events for others (the database's WAL beside the logs) are ignored. */
    private readonly relevant: (name: string) => boolean = () => true,
  ) {
    stop.addEventListener('abort', () => this.fire(), { once: true });
  }

  /** Resolves on the next change, poll tick or stop. */
  async wait(): Promise<void> {
    this.ensureWatching();
    if (this.changed || this.stop.aborted) {
      this.changed = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.fire(), this.pollMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.changed = false;
  }

  /** True when the folder changed (or may have: no watcher) since the last call. */
  takeFolderEvent(): boolean {
    const had = this.folderEvent || this.watcher === undefined;
    this.folderEvent = false;
    return had;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private ensureWatching(): void {
    if (this.watcher) return;
    try {
      this.watcher = watch(this.folder, { persistent: false }, (event, name) => {
        if (name !== null && !this.relevant(String(name))) return;
        // A file appeared, vanished or was renamed: list again. A change only needs a read.
        if (event === 'rename' || name === null) this.folderEvent = true;
        this.fire();
      });
      this.watcher.on('error', () => this.close());
    } catch {
      // The folder may not exist yet; polling covers it until it does.
    }
  }

  private fire(): void {
    this.changed = true;
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }
}
