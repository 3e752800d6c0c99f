import { EXIT } from './errors.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * Graceful stop: the first SIGINT/SIGTERM asks the flow to finish and commit the batch in hand; a
 * second one exits at once (the last commit still stands, so nothing acknowledged is lost).
 */
export class Shutdown {
  private signal: StopSignal | undefined;
  private readonly handlers = new Map<StopSignal, () => void>();
  private onRequest: (() => void) | undefined;

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
    process.stderr.write(`\nsluice: ${sig} received, committing the batch in hand (send again to exit at once)\n`);
    this.onRequest?.();
  }
}
