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
 * The `info` lines the café writes several times per order cycle (requests, events), built as
 * one string and handed to the logger's own destination: byte for byte what
 * `logger.info(fields, msg)` writes (apps/cafe/src/log-lines.spec.ts compares them), without
 * pino's generic serialisation, which walks the fields key by key through its serializers and
 * string escaper (docs/benchmarks.md, "The request log's cost"). The fields go through
 * JSON.stringify as one object, as pino passes every nested object, so client-controlled
 * strings are escaped by the engine; a top-level string is too, where pino's escaper would
 * leave a lone surrogate raw (the café's top-level strings are its own ids, types and times).
 * The same bytes reach the same stream, so LOG_FORMAT=pretty (pino-pretty parses the JSON it
 * is given) prints what it printed. It honours no serializers, formatters, mixin, redaction or
 * hooks: `createLogger` sets none, and the spec compares against its logger.
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

  /** `fields`: a plain object of JSON values, in the order they appear on the line. */
  write(fields: object, msg: string): void {
    const logger = this.logger;
    const members = JSON.stringify(fields).slice(1, -1);
    logger[symbols.streamSym].write(
      logger[symbols.lsCacheSym][logger.levels.values.info] +
        logger[symbols.timeSym]() +
        logger[symbols.chindingsSym] +
        (members && `,${members}`) +
        `,"${logger[symbols.messageKeySym]}":${JSON.stringify(msg)}` +
        logger[symbols.endSym],
    );
  }
}
