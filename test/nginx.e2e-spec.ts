import { EventStore } from '@cafe/ordering';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { rushHourAt } from './support/crowd';
import { expectFloodCutOff } from './support/flood-outcome';
import { call, eventually } from './support/http-client';
import { describeWithInstalled } from './support/installed-tool';
import { checkNginxConf, TestNginx } from './support/nginx';

const describeWithNginx = describeWithInstalled('nginx');

jest.setTimeout(60_000);

describeWithNginx('docker/nginx.conf', () => {
  it('passes `nginx -t` with only its addresses changed', () => {
    expect(checkNginxConf()).toEqual({
      status: 0,
      stderr: expect.stringContaining('test is successful'),
    });
  });
});

describeWithNginx.each(HTTP_ADAPTERS)('docker/nginx.conf in front of the café on %s', (adapter) => {
  let cafe: TestCafe;
  let nginx: TestNginx;

  beforeEach(async () => {
    cafe = await TestCafe.start(adapter, { TRUSTED_PROXIES: '127.0.0.1' });
    nginx = await TestNginx.start(cafe.cafe.customerPort);
  });

  afterEach(async () => {
    await nginx?.stop();
    await cafe?.close();
  });

  const ports = () => ({ customer: nginx.port, barista: cafe.cafe.baristaPort });

  it('passes orders through with the client address, not a forged one', async () => {
    const served = call(nginx.port, 'POST', '/order', {
      localAddress: '127.0.4.4',
      headers: { 'x-forwarded-for': '6.6.6.6' },
    });
    await eventually(async () => (await cafe.queued()) === 1);
    const placed = [...(await cafe.cafe.core.get(EventStore).readAll())].map(({ event }) => event);
    expect(placed[0]).toMatchObject({ type: 'OrderPlaced', clientAddress: '127.0.4.4' });
    const next = await cafe.barista('GET', '/start/');
    await cafe.barista('POST', `/finish/?order_id=${next.body.order_id}`);
    expect((await served).status).toBe(200);
  });

  it('cuts off a flood of 3,000 with the same outcome as without nginx', async () => {
    const outcome = await rushHourAt(ports(), { count: 3000, forge: true });
    expectFloodCutOff(outcome, [...(await cafe.cafe.core.get(EventStore).readAll())]);
  });
});
