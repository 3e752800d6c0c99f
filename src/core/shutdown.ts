import { EXIT } from './errors.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Signals the launcher held while the modules loaded, and how to stop holding them. */
export interface EarlySignals {
  early: string[];
  release: () => void;
}

let held: EarlySignals | undefined;

/** Takes over the launcher's held signals; the next `Shutdown.install` (or `releaseEarlySignals`) acts on them. */
export function adoptEarlySignals(signals: EarlySignals): void {
  held = signals;
}

/**
 * For commands without a graceful stop: signals get their default meaning back, and one that came
 * while loading ends the process as it would have.
 */
export function releaseEarlySignals(): void {
  const h = held;
  held = undefined;
  if (!h) return;
  h.release();
  const sig = h.early[0];
  if (sig === 'SIGINT' || sig === 'SIGTERM') process.exit(Shutdown.exitCodeFor(sig));
}

/**
 * Graceful stop: the first SIGINT/SIGTERM asks the flow to finish and commit the batch in hand; a
 * second one exits at once (the last commit still stands, so nothing acknowledged is lost).
 */
export class Shutdown {
  private signal: StopSignal | undefined;
  private readonly handlers = new Map<StopSignal, () => void>();
  private onRequest: (() => void) | undefined;

  /** `doing` completes the notice "SIGTERM received, ..." (what the process does before it exits). */
  constructor(private readonly doing = 'committing the batch in hand') {}

  /** The signal that asked for the stop, if any. */
  get requested(): StopSignal | undefined {
    return this.signal;
  }

  install(onRequest?: () => void): void {
    this.onRequest = onRequest;
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const handler = (): void => this.receive(sig);
      this.handlers.set(sig, handler);
      process.on(sig, handler);
    }
    // A signal that came while the modules loaded stops this run now, as if it came just after.
    const h = held;
    held = undefined;
    if (h) {
      h.release();
      const sig = h.early[0];
      if (sig === 'SIGINT' || sig === 'SIGTERM') setImmediate(() => this.receive(sig));
    }
  }

  uninstall(): void {
    for (const [sig, handler] of this.handlers) process.off(sig, handler);
    this.handlers.clear();
  }

  /** 130 for SIGINT, 143 for SIGTERM. */
  static exitCodeFor(sig: StopSignal): number {
    return sig === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
  }

  private receive(sig: StopSignal): void {
    if (this.signal !== undefined) {
      process.stderr.write(`\nsluice: second ${sig}, exiting now (the last commit stands)\n`);
      process.exit(Shutdown.exitCodeFor(sig));
    }
    this.signal = sig;
    process.stderr.write(`\nsluice: ${sig} received, ${this.doing} (send again to exit at once)\n`);
    this.onRequest?.();
  }
}
