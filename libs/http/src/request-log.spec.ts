import { Writable } from 'node:stream';
import type { LoggerService } from '@nestjs/common';
import pino from 'pino';
import { nestLoggerFor } from './request-log';

describe("Nest's messages", () => {
  it('put its start-up chatter at debug (hidden at the default info) and the rest at its own level', async () => {
    const lines: { level: number; msg: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    // nestjs-pino keeps the first logger it is given for the whole process: one per test file.
    const nest = nestLoggerFor(pino({ level: 'debug' }, sink)) as LoggerService;
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('Mapped {/start, GET} route', 'RouterExplorer');
    nest.log('café open', 'Cafe');
    nest.warn('something odd', 'Cafe');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map(({ level, msg }) => [level, msg])).toEqual([
      [20, 'AppModule dependencies initialized'],
      [20, 'Mapped {/start, GET} route'],
      [30, 'café open'],
      [40, 'something odd'],
    ]);
  });
});
