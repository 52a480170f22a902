import { connect, type Socket } from 'node:net';
import type { HttpAdapterName } from '@cafe/http';
import { type BenchContext, scaled, serviceEnv, simulate, withServer } from './scenarios';

/** One line of scenario 12: order cycles while this many readers follow the event stream. */
export interface CyclesUnderReaders {
  /** Readers asked for, whether they read, and how many the café let in (200) or refused (503). */
  readers: number;
  reading: boolean;
  open: number;
  refused: number;
  cycles: number;
  /** Best round: on a shared machine, interference only ever adds. */
  seconds: number;
  cyclesPerSecond: number;
}

const ROUNDS = 3;
const CYCLES = 300;
/** The 2,000-3,000 readers, against the default caps (200 in all, 50 per address). */
const LOADS: readonly { readers: number; reading: boolean }[] = [
  { readers: 0, reading: true },
  { readers: 200, reading: true },
  { readers: 200, reading: false },
  { readers: 2000, reading: true },
];

/** A reader from its own address (the per-address cap is not what is measured). */
function openReader(
  port: number,
  index: number,
  reading: boolean,
): Promise<{ status: number; socket: Socket }> {
  const localAddress = `127.0.${20 + Math.floor(index / 250)}.${(index % 250) + 1}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () =>
      socket.write('GET /events/stream HTTP/1.1\r\nHost: bench\r\n\r\n'),
    );
    socket.once('error', reject);
    socket.once('data', (chunk) => {
      socket.on('error', () => undefined); // a reader that does not read is dropped
      if (reading) socket.on('data', () => undefined);
      else socket.pause();
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1]),
        socket,
      });
    });
  });
}

/**
 * 12. Order cycles under stream readers: 300 orders at once, 10 baristas, no brewing, while
 * 0, 200 (reading or not) or 2,000 readers follow `GET /events/stream` on the barista port.
 */
export async function cyclesUnderReaders(
  context: BenchContext,
  platform: HttpAdapterName,
): Promise<CyclesUnderReaders[]> {
  return withServer(platform, serviceEnv(context, platform), async (server) => {
    const port = Number(new URL(server.baristaUrl).port);
    const cycles = scaled(context, CYCLES);
    const lines: CyclesUnderReaders[] = [];
    for (const { readers: asked, reading } of LOADS) {
      const readers = scaled(context, asked) * Math.sign(asked);
      context.log(
        `12 cycles under readers on ${platform}: ${cycles} cycles, ${readers} readers${reading ? '' : ' not reading'}`,
      );
      const opened = [];
      for (let i = 0; i < readers; i++) opened.push(await openReader(port, i, reading));
      let best = Infinity;
      for (let round = 0; round < ROUNDS; round++) {
        const report = await simulate(server, {
          customers: cycles,
          groupSizes: [{ min: cycles, max: cycles }],
          baristas: 10,
        });
        best = Math.min(best, report.makespanMs / 1000);
      }
      for (const { socket } of opened) socket.destroy();
      const open = opened.filter(({ status }) => status === 200).length;
      lines.push({
        readers,
        reading,
        open,
        refused: opened.filter(({ status }) => status === 503).length,
        cycles,
        seconds: best,
        cyclesPerSecond: cycles / best,
      });
    }
    return lines;
  });
}
