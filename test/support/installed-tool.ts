import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The programs from Debian's packages that tests drive, at the paths they run them from. One
 * list, test/support/installed-tools.json, read here and by .ci/run, which installs the
 * packages of whatever is missing.
 */
const TOOLS = JSON.parse(readFileSync(join(__dirname, 'installed-tools.json'), 'utf8')) as Record<
  InstalledTool,
  { path: string; package: string }
>;

export type InstalledTool = 'nginx' | 'chromium' | 'redis-server';

/** Where the tests run `tool` from. */
export function installedPath(tool: InstalledTool): string {
  return TOOLS[tool].path;
}

/**
 * `describe` for tests that drive `tool`. Run by hand without it, the tests are skipped with a
 * message saying why; in CI (`.ci/run` sets CI and installs the packages) a missing program is
 * a failure, never a silent skip.
 */
export function describeWithInstalled(tool: InstalledTool): jest.Describe {
  const { path, package: debianPackage } = TOOLS[tool];
  if (existsSync(path)) return describe;
  const message = `${path} is missing (apt-get install ${debianPackage}; .ci/run does)`;
  if (process.env.CI) throw new Error(message);
  console.warn(`SKIPPED: ${message}`);
  return describe.skip;
}
