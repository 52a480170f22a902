import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { describeWithInstalled, installedPath } from './installed-tool';

const CHROMIUM = installedPath('chromium');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** `describe` for the browser tests: skipped with a message where chromium is missing, except in CI. */
export const describeInChromium = describeWithInstalled('chromium');

/** launch() gives the browser a fresh temporary profile (--user-data-dir) of its own. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

/**
 * Where a test writes the picture `name` that docs/operations.md shows: docs/ with UPDATE_SCREENSHOT=1
 * (`UPDATE_SCREENSHOT=1 npx jest test/<page>.e2e-spec.ts`), a temporary directory otherwise.
 */
export const screenshotPath = (name: string): string =>
  process.env.UPDATE_SCREENSHOT
    ? join(__dirname, '..', '..', 'docs', name)
    : join(mkdtempSync(join(tmpdir(), 'screenshot-')), name);
