import pino, { type DestinationStream, type Logger } from 'pino';

const { symbols } = pino;

/**
 * What pino's own `write` puts around a line's fields, read from the logger through
 * `pino.symbols` (pino's documented way in for integrations), so that these pieces cannot
 * differ from what pino would write: the configured level label, time function, bindings
 * (pid, hostname, a child's own) and line end, and the destination.
 */
interface Framing {
  /** `{"level":30` and the like, by level number. */
  readonly [symbols.lsCacheSym]: Readonly<Record<number, string>>;
  /** `,"time":"…"`, called once a line. */
  readonly [symbols.timeSym]: () => string;
  /** `,"pid":…,"hostname":"…"` and a child logger's bindings. */
  readonly [symbols.chindingsSym]: string;
  readonly [symbols.messageKeySym]: string;
  /** `}` and the end of line. */
  readonly [symbols.endSym]: string;
  readonly [symbols.streamSym]: DestinationStream;
}

/**
 * The `info` lines the café writes several times per order cycle (requests, events): each
 * line's fields are built by its writer as a JSON string, which this frames as pino's own
 * `write` would and hands to the logger's destination, byte for byte what
 * `logger.info(fields, msg)` writes (apps/cafe/src/log-lines.spec.ts compares them), without
 * pino's generic serialisation, which walks the fields key by key through its serializers and
 * escaper and stringifies every nested object as a whole (docs/benchmarks.md, "The request
 * log's cost"). The same bytes reach the same stream, so LOG_FORMAT=pretty (pino-pretty parses
 * the JSON it is given) prints what it printed. It honours no serializers, formatters, mixin,
 * redaction or hooks: `createLogger` sets none, and the spec compares against its logger.
 */
export class InfoLines {
  private readonly logger: Logger & Framing;

  constructor(logger: Logger) {
    this.logger = logger as Logger & Framing;
  }

  /** Whether an `info` line is written at all: asked before one is built. */
  get enabled(): boolean {
    return this.logger.isLevelEnabled('info');
  }

  /**
   * `fields`: the line's own fields as JSON object members, each led by a comma, in the order
   * of the object pino would be given, every value as JSON.stringify writes it. (pino escapes a
   * short string of the top level itself, alike but for a lone surrogate, which it leaves raw;
   * the café's top-level strings are ids, event types and times of its own.)
   */
  write(fields: string, msg: string): void {
    const logger = this.logger;
    logger[symbols.streamSym].write(
      logger[symbols.lsCacheSym][logger.levels.values.info] +
        logger[symbols.timeSym]() +
        logger[symbols.chindingsSym] +
        fields +
        `,"${logger[symbols.messageKeySym]}":${JSON.stringify(msg)}` +
        logger[symbols.endSym],
    );
  }
}
