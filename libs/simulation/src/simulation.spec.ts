import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import type { SimulationReport } from './report';
import { Simulation, type SimulationOptions } from './simulation';

/**
 * Plays `story` against a café that holds every order and has nothing to brew. The first
 * `GET /start/` stops the run; returns the report and how many orders had arrived by then.
 */
async function runUntilFirstStart(
  story: (ordersSoFar: () => number) => Partial<SimulationOptions>,
): Promise<{ report: SimulationReport; ordersAtFirstStart?: number }> {
  let orders = 0;
  let ordersAtFirstStart: number | undefined;
  let simulation: Simulation | undefined;
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/order/')) {
      orders++;
      return; // held, as a waiting customer is
    }
    ordersAtFirstStart ??= orders;
    simulation?.stop();
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"statusCode":404}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    simulation = new Simulation({
      customerUrl: url,
      baristaUrl: url,
      customers: 0,
      groupSizes: [{ min: 1, max: 1 }],
      groupGap: { min: 0, max: 0 },
      baristas: 1,
      brew: { min: 0, max: 0 },
      flood: 0,
      floodIp: '127.0.0.1',
      sourceIps: 0,
      timeScale: 1,
      seed: 1,
      ...story(() => orders),
    });
    return { report: await simulation.run(), ordersAtFirstStart };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

describe('a simulation', () => {
  it('has baristas at work while customers still arrive, and on stop counts the waiting as unanswered', async () => {
    // The second customer would come an hour later: only stop() can end this run.
    const { report, ordersAtFirstStart } = await runUntilFirstStart(() => ({
      customers: 2,
      groupGap: { min: 3600, max: 3600 },
    }));

    expect(ordersAtFirstStart).toBeLessThan(2);
    expect(report.regulars).toMatchObject({ ordered: 1, served: 0, errors: 0, unanswered: 1 });
    expect(report.baristaErrors).toBe(0);
  });

  it('holds baristas back until every order is in when a benchmark asks to', async () => {
    const { report, ordersAtFirstStart } = await runUntilFirstStart((ordersSoFar) => ({
      customers: 3,
      groupGap: { min: 0.01, max: 0.01 },
      beforeBaristas: async () => {
        while (ordersSoFar() < 3) await new Promise((resolve) => setImmediate(resolve));
      },
    }));

    expect(ordersAtFirstStart).toBe(3);
    expect(report.regulars).toMatchObject({ ordered: 3, served: 0, unanswered: 3 });
  });
});
