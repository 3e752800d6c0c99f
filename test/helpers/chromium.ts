import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Debian's Chromium, which `.ci/run` installs; the browser tests drive it with playwright-core. */
export const CHROMIUM = process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium';

/** Whether the browser tests can run here; in CI a missing Chromium is a failure, not a skip. */
export function chromiumPresent(): boolean {
  const present = existsSync(CHROMIUM);
  if (!present && process.env.CI === 'true') throw new Error(`CI: Chromium is missing at ${CHROMIUM} (.ci/run installs it)`);
  return present;
}

/** A headless Chromium with no network of its own (no updates, no background requests). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}
