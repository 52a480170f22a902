import { existsSync } from 'node:fs';

/**
 * `describe` for tests that drive a program from Debian's packages. Run by hand without it, the
 * tests are skipped with a message saying why; in CI (`.ci/run` sets CI and installs the
 * packages) a missing program is a failure, never a silent skip.
 */
export function describeWithInstalled(path: string, debianPackage: string): jest.Describe {
  if (existsSync(path)) return describe;
  const message = `${path} is missing (apt-get install ${debianPackage}; .ci/run does)`;
  if (process.env.CI) throw new Error(message);
  console.warn(`SKIPPED: ${message}`);
  return describe.skip;
}
