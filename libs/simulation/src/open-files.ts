import { readFileSync } from 'node:fs';

/** Files a process opens besides its connections: listeners, pipes, the runtime's own. */
const SPARE_FILES = 200;

/**
 * How many files (sockets included) this process may open: the soft limit of `ulimit -n`,
 * which node raises to the hard limit at start. Undefined where /proc does not say (not
 * Linux) or when there is no limit.
 */
export function openFileLimit(): number | undefined {
  try {
    return openFileLimitIn(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Reads the soft "Max open files" limit from the text of /proc/<pid>/limits. */
export function openFileLimitIn(limits: string): number | undefined {
  const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
  return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
}

/**
 * Why `connections` open at once will not fit, or undefined when they will. Each one costs a
 * file in the load tool and another in the service, which inherits this shell's limit; node
 * cannot raise a limit past the hard one, so the advice is for the shell that starts both.
 */
export function openFileShortfall(
  connections: number,
  limit: number | undefined,
): string | undefined {
  const needed = connections + SPARE_FILES;
  if (limit === undefined || needed <= limit) return undefined;
  return (
    `${connections} connections open at once need about ${needed} open files in the load tool ` +
    `and in the service, but this shell allows ${limit}: raise it first with \`ulimit -n ${needed}\` ` +
    `(past the hard limit that takes root with CAP_SYS_RESOURCE, or \`docker run --ulimit nofile=${needed}\`)`
  );
}
