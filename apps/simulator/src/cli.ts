import { Command, InvalidArgumentError, Option } from 'commander';
import {
  DEFAULT_SOURCE_ADDRESS,
  MAX_SOURCE_ADDRESSES,
  parseRange,
  parseRangeList,
  type SimulationOptions,
  wholeNumber,
} from '@cafe/simulation';

export type ProgressMode = 'auto' | 'on' | 'off';

export interface CliOptions {
  simulation: SimulationOptions;
  json: boolean;
  progress: ProgressMode;
}

function nonNegative(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError('expected a number ≥ 0');
  }
  return value;
}

function parsed<T>(parse: (text: string) => T) {
  return (text: string): T => {
    try {
      return parse(text);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

function ipv4(text: string): string {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(text)) {
    throw new InvalidArgumentError('expected a loopback IPv4 address such as 127.0.0.2');
  }
  return text;
}

/** An option holding a range or list of ranges, whose default shows as typed. */
function rangeOption<T>(
  flags: string,
  description: string,
  fallback: string,
  parse: (text: string) => T,
) {
  return new Option(flags, description).argParser(parsed(parse)).default(parse(fallback), fallback);
}

/** The command line of `npm run simulate`; `parse` reads argv and exits with a message on bad input. */
export function simulatorCommand(): Command {
  return new Command('simulate')
    .description(
      'Plays the rush hour against a running café: regulars in groups, baristas, and a flooding client.',
    )
    .option('--customer-url <url>', 'base URL of the customer app', 'http://127.0.0.1:8000')
    .option('--barista-url <url>', 'base URL of the barista app', 'http://127.0.0.1:8001')
    .option('--customers <n>', 'regular customers', wholeNumber(0), 200)
    .addOption(
      rangeOption(
        '--group-sizes <list>',
        'sizes of arriving groups, one drawn per group',
        '1,1,1,2-5,100-200',
        parseRangeList,
      ),
    )
    .addOption(
      rangeOption('--group-gap <seconds>', 'story seconds between groups', '0-20', parseRange),
    )
    .option('--baristas <n>', 'barista workers', wholeNumber(0, 10_000), 10)
    .addOption(
      rangeOption('--brew <seconds>', 'story seconds to brew one americano', '30-60', parseRange),
    )
    .option('--flood <m>', 'orders the flooding client sends at once', wholeNumber(0), 0)
    .option(
      '--flood-ip <address>',
      'loopback address of the flooding client (127.0.0.1: the default source, not bound, fastest)',
      ipv4,
      DEFAULT_SOURCE_ADDRESS,
    )
    .option(
      '--source-ips <n>',
      'distinct loopback addresses for the regulars (0: do not bind; only when the target is loopback)',
      wholeNumber(0, MAX_SOURCE_ADDRESSES),
      MAX_SOURCE_ADDRESSES,
    )
    .option(
      '--time-scale <factor>',
      'real seconds per story second (0.001: 30-60 s brew in 30-60 ms)',
      nonNegative,
      0.001,
    )
    .option('--seed <n>', 'seed of the random story', wholeNumber(0, 2 ** 32 - 1), 1)
    .option(
      '--deadline <seconds>',
      'stop after this many real seconds, counting what is open as unanswered',
      nonNegative,
    )
    .option('--json', 'print the report as JSON only', false)
    .addOption(
      new Option('--progress <mode>', 'live progress display')
        .choices(['auto', 'on', 'off'])
        .default('auto'),
    );
}

export function readCliOptions(argv: readonly string[]): CliOptions {
  const command = simulatorCommand();
  command.parse(argv, { from: 'user' });
  const o = command.opts();
  return {
    json: o.json,
    progress: o.progress,
    simulation: {
      customerUrl: o.customerUrl,
      baristaUrl: o.baristaUrl,
      customers: o.customers,
      groupSizes: o.groupSizes,
      groupGap: o.groupGap,
      baristas: o.baristas,
      brew: o.brew,
      flood: o.flood,
      floodIp: o.floodIp,
      sourceIps: o.sourceIps,
      timeScale: o.timeScale,
      seed: o.seed,
      deadlineMs: o.deadline === undefined ? undefined : o.deadline * 1000,
    },
  };
}
