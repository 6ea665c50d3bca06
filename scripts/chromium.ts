// Debian's Chromium driven by playwright-core, for the HTML report's browser
// test and its README screenshot. Never a browser download: the system's
// /usr/bin/chromium (CHROMIUM_PATH overrides), or a reason why not.
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export type { Browser };

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why a browser cannot be launched here, or undefined when it can. */
export function chromiumMissing(): string | undefined {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return undefined;
  } catch {
    return `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu', '--headless'],
    timeout: 30_000,
  });
}
