import pino, { type DestinationStream, type Logger } from 'pino';
import { BackgroundLines } from './background-lines';
import { type CafeConfig, ConfigError } from './config';

/**
 * The process's one logger. `json` writes a JSON object per line to stdout (or `destination`);
 * `pretty` needs pino-pretty, a development dependency that production images leave out: asking
 * for it there stops the start with a message rather than silently logging something else.
 */
export function createLogger(
  { logLevel, logFormat }: Pick<CafeConfig, 'logLevel' | 'logFormat'>,
  destination?: DestinationStream,
): Logger {
  const options = { level: logLevel, timestamp: pino.stdTimeFunctions.isoTime };
  if (logFormat === 'json') return pino(options, destination ?? new BackgroundLines(1));
  return pino(options, prettyStream(destination ?? prettyStdout()));
}

/**
 * stdout for pino-pretty, which needs a stream of node's: in the background too, bounded, but
 * line by line (pretty is for a developer's terminal, not for production's load).
 */
function prettyStdout(): DestinationStream {
  return pino.destination({ fd: 1, sync: false, maxLength: 16 * 1024 * 1024 });
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
