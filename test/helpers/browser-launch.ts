import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** The distribution's Chromium (apt); the machines have no internet to download one. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, sandbox-free (containers), and silent on the network apart from the page itself. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export const chromiumInstalled = existsSync(CHROMIUM_PATH);

/**
 * `describe` when the browser suite can run. Without Chromium the suite fails on CI (a missing
 * browser must not look like a pass there) and is skipped with a visible notice elsewhere.
 */
export function describeWithBrowser(name: string, body: () => void): void {
  if (chromiumInstalled) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(`Chromium not found at ${CHROMIUM_PATH} (set CHROMIUM_PATH or install chromium)`);
      });
    });
  } else {
    console.warn(`SKIPPED "${name}": Chromium not found at ${CHROMIUM_PATH}; install chromium or set CHROMIUM_PATH.`);
    describe.skip(name, body);
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 20_000 });
}
