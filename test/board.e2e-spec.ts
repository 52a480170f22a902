import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { EventStore } from '@cafe/ordering';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { describeInChromium, launchChromium, screenshotPath } from './support/chromium';

const SCREENSHOT = screenshotPath('board.png');

describe.each(HTTP_ADAPTERS)('the order board page on %s', (adapter) => {
  let cafe: TestCafe;

  beforeEach(async () => {
    cafe = await TestCafe.start(adapter);
  });

  afterEach(() => cafe.close());

  it.each([
    ['/', 'text/html', '<script src="board.js">'],
    ['/board.css', 'text/css', 'grid-template-columns'],
    ['/board.js', 'text/javascript', 'OrderFinished'],
    ['/staff-session.js', 'text/javascript', 'events/stream?after='],
  ])('serves %s as %s, confined to its own origin', async (path, type, content) => {
    const answer = await cafe.barista('GET', path);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(`${type}; charset=utf-8`);
    expect(answer.headers['content-security-policy']).toBe("default-src 'self'");
    expect(answer.body).toContain(content);
  });

  it('serves the state the page starts from, with the position to follow on from', async () => {
    expect((await cafe.barista('GET', '/board/state')).body).toEqual({
      position: 0,
      ready_shown: 20,
      orders: [],
    });
    const first = await cafe.order();
    await cafe.order();
    const started = await cafe.barista('GET', '/start/');
    await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
    await first.reply;
    await cafe.barista('GET', '/start/');

    const { body } = await cafe.barista('GET', '/board/state');
    expect(body.position).toBe(await cafe.cafe.core.get(EventStore).head());
    expect(body.orders.map((order: { status: string }) => order.status)).toEqual([
      'brewing',
      'ready',
    ]);
    expect(body.orders[1]).toMatchObject({ order_id: started.body.order_id, status: 'ready' });
  });
});

/**
 * A browser on a loaded 2-core CI machine: page loads and launches take seconds, not
 * milliseconds. Given to each hook and test below; jest.setTimeout would apply to the whole file.
 */
const BROWSER_TIMEOUT_MS = 30_000;

describeInChromium.each(HTTP_ADAPTERS)('the order board in chromium on %s', (adapter) => {
  let browser: Browser;
  let cafe: TestCafe;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
  }, BROWSER_TIMEOUT_MS);

  afterAll(() => browser?.close(), BROWSER_TIMEOUT_MS);

  beforeEach(async () => {
    cafe = await TestCafe.start(adapter);
    page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    const refused: string[] = [];
    page.on('requestfailed', (request) => refused.push(request.url()));
    await page.goto(`http://127.0.0.1:${cafe.cafe.baristaPort}/`);
    await page.locator('#connection[data-state="live"]').waitFor();
    expect(refused).toEqual([]);
  }, BROWSER_TIMEOUT_MS);

  afterEach(async () => {
    await page.close();
    await cafe.close();
  }, BROWSER_TIMEOUT_MS);

  const card = (column: string, orderId: string) =>
    page.locator(`#${column} [data-order-id="${orderId}"]`);
  const count = (column: string) => page.locator(`#${column}-count`).textContent();

  /** Places `n` orders over HTTP; resolves with their ids, oldest first. */
  async function place(n: number): Promise<string[]> {
    const after = await cafe.cafe.core.get(EventStore).head();
    for (let i = 0; i < n; i++) await cafe.order({ localAddress: `127.0.3.${i + 1}` });
    const { body } = await cafe.barista('GET', `/events?after=${after}&limit=1000`);
    return body.events
      .filter((e: { type: string }) => e.type === 'OrderPlaced')
      .map((e: { order_id: string }) => e.order_id);
  }

  it(
    'moves the cards from Queued to Brewing to Ready as baristas work',
    async () => {
      const [first, second, third] = await place(3);
      for (const id of [first, second, third]) await card('queued', id).waitFor();
      expect(
        await page
          .locator('#queued li')
          .evaluateAll((items) => items.map((item) => item.getAttribute('data-order-id'))),
      ).toEqual([first, second, third]);
      expect(await count('queued')).toBe('3');
      expect(await page.locator('#longest-wait').textContent()).toMatch(/^\d+:\d\d$/);

      expect((await cafe.barista('GET', '/start/')).body.order_id).toBe(first);
      await card('brewing', first).waitFor();
      await card('queued', first).waitFor({ state: 'detached' });
      expect([await count('queued'), await count('brewing')]).toEqual(['2', '1']);

      await cafe.barista('POST', `/finish/?order_id=${first}`);
      await card('ready', first).waitFor();
      await card('brewing', first).waitFor({ state: 'detached' });
      expect([await count('queued'), await count('brewing'), await count('ready')]).toEqual([
        '2',
        '0',
        '1',
      ]);

      // A fresh page builds the same board from the log.
      await page.reload();
      await card('ready', first).waitFor();
      await card('queued', second).waitFor();
      await card('queued', third).waitFor();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'drops a cancelled order and keeps only the last 20 ready',
    async () => {
      const leaving = new AbortController();
      await cafe.order({ signal: leaving.signal });
      const cancelled = (await cafe.barista('GET', '/events')).body.events[0].order_id;
      await card('queued', cancelled).waitFor();
      leaving.abort();
      await card('queued', cancelled).waitFor({ state: 'detached' });

      const ids = await place(22);
      for (const id of ids) {
        await cafe.barista('GET', '/start/');
        await cafe.barista('POST', `/finish/?order_id=${id}`);
      }
      await card('ready', ids[21]).waitFor();
      expect(await page.locator('#ready li').count()).toBe(20);
      expect(await count('ready')).toBe('20');
      await card('ready', ids[1]).waitFor({ state: 'detached' });
      expect(await page.locator('#ready li').first().getAttribute('data-order-id')).toBe(ids[21]);
    },
    BROWSER_TIMEOUT_MS,
  );

  if (adapter === 'express') {
    it(
      'looks like a wall screen (the screenshot in docs/operations.md)',
      async () => {
        const ids = await place(9);
        for (const id of ids.slice(0, 5)) {
          await cafe.barista('GET', '/start/');
          if (id !== ids[4] && id !== ids[3]) await cafe.barista('POST', `/finish/?order_id=${id}`);
        }
        await card('queued', ids[8]).waitFor();
        await card('brewing', ids[4]).waitFor();
        await card('ready', ids[2]).waitFor();
        expect([await count('queued'), await count('brewing'), await count('ready')]).toEqual([
          '4',
          '2',
          '3',
        ]);
        expect(await page.locator('#longest-wait').textContent()).toMatch(/^\d+:\d\d$/);
        const png = await page.screenshot({ path: SCREENSHOT });
        // A PNG's IHDR holds width and height: the picture is the whole wall-screen viewport.
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1600, 900]);
        expect(readFileSync(SCREENSHOT).equals(png)).toBe(true);
      },
      BROWSER_TIMEOUT_MS,
    );
  }
});
