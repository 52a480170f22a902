import pino, { type DestinationStream, type Logger } from 'pino';
import { type CafeConfig, ConfigError } from './config';

/**
 * The process's one logger. `json` writes a JSON object per line to stdout (or `destination`);
 * `pretty` needs pino-pretty, a development dependency that production images leave out: asking
 * for it there stops the start with a message rather than silently logging something else.
 */
export function createLogger(
  { logLevel, logFormat }: Pick<CafeConfig, 'logLevel' | 'logFormat'>,
  destination: DestinationStream = stdoutLines(),
): Logger {
  const options = { level: logLevel, timestamp: pino.stdTimeFunctions.isoTime };
  if (logFormat === 'json') return pino(options, destination);
  return pino(options, prettyStream(destination));
}

/** Lines held in memory at most while stdout does not keep up; beyond, lines are dropped. */
const MAX_UNWRITTEN_BYTES = 16 * 1024 * 1024;

/**
 * stdout, written in the background: a line costs the event loop a copy into a buffer, and the
 * lines of one turn leave in one write. Written synchronously, every line was a system call on
 * the request path, and a slow reader of a pipe (a log shipper) held up accepting connections.
 * pino flushes what is left synchronously on exit, so the last lines are not lost.
 */
function stdoutLines(): DestinationStream {
  return pino.destination({ fd: 1, sync: false, maxLength: MAX_UNWRITTEN_BYTES });
}

function prettyStream(destination: DestinationStream): DestinationStream {
  let pretty: typeof import('pino-pretty');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    pretty = require('pino-pretty');
  } catch {
    throw new ConfigError(
      'LOG_FORMAT=pretty needs pino-pretty, a development dependency not installed here; use LOG_FORMAT=json',
    );
  }
  return pretty({ destination, translateTime: 'SYS:HH:MM:ss.l' });
}
