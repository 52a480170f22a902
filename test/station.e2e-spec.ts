import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { describeInChromium, launchChromium, screenshotPath } from './support/chromium';

const ANA = 'ana-token-0123456789abcdef';
const BEN = 'ben-token-fedcba9876543210';
const TOKENS = { BARISTA_TOKENS: `ana:${ANA},ben:${BEN}` };
const SCREENSHOT = screenshotPath('station.png');
/** A tablet in landscape. */
const TABLET = { width: 1180, height: 820 };

// For every test and hook of this file: a browser on a loaded 2-core CI machine launches and
// loads pages in seconds, not milliseconds, and each test here starts a café of its own.
jest.setTimeout(30_000);

describe.each(HTTP_ADAPTERS)('the station page on %s', (adapter) => {
  it.each([
    ['/station', 'text/html', '<script src="station.js">'],
    ['/station.css', 'text/css', '.ready'],
    ['/station.js', 'text/javascript', 'finish/?order_id='],
    ['/staff-session.css', 'text/css', 'dialog.sign-in'],
  ])('serves %s as %s to anyone, confined to its own origin', async (path, type, content) => {
    const cafe = await TestCafe.start(adapter, TOKENS);
    try {
      const answer = await cafe.barista('GET', path);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe(`${type}; charset=utf-8`);
      expect(answer.headers['content-security-policy']).toBe("default-src 'self'");
      expect(answer.body).toContain(content);
    } finally {
      await cafe.close();
    }
  });
});

describeInChromium.each(HTTP_ADAPTERS)('the barista pages in chromium on %s', (adapter) => {
  let browser: Browser;
  let cafe: TestCafe;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(() => browser?.close());

  afterEach(async () => {
    await page.close();
    await cafe.close();
  });

  /** Starts a café and opens `path` on it; `prepare` runs in between. */
  async function open(
    path: string,
    env: Record<string, string> = TOKENS,
    prepare: () => Promise<unknown> = async () => undefined,
  ): Promise<void> {
    cafe = await TestCafe.start(adapter, env);
    page = await browser.newPage({ viewport: TABLET });
    await prepare();
    await page.goto(`http://127.0.0.1:${cafe.cafe.baristaPort}${path}`);
  }

  const signInDialog = () => page.locator('dialog.sign-in[open]');

  async function signIn(token: string): Promise<void> {
    await signInDialog().locator('input').fill(token);
    await signInDialog().locator('button').click();
  }

  const live = () => page.locator('#connection[data-state="live"]').waitFor();
  const inHand = (orderId: string) => page.locator(`#in-hand [data-order-id="${orderId}"]`);
  const text = (selector: string) => page.locator(selector).textContent();

  it('asks for the token once, refuses a wrong one, then takes and finishes an order', async () => {
    await open('/station');
    await signInDialog().waitFor();
    expect(await text('.sign-in-reason')).toContain('asks baristas for their token');

    await signIn(`${ANA}-wrong`);
    await page.locator('.sign-in-reason', { hasText: 'That token was refused' }).waitFor();
    await signIn(ANA);
    await signInDialog()
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    await live();
    expect(await signInDialog().count()).toBe(0);

    const { reply } = await cafe.signIn(BEN).order();
    await page.locator('#queued-count', { hasText: '1' }).waitFor();
    expect(await text('#oldest-wait')).toMatch(/^\d+:\d\d$/);

    await page.locator('#take').click();
    await page.locator('#in-hand li').first().waitFor();
    const [held] = await page
      .locator('#in-hand li')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-order-id')));
    expect(held).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      await inHand(held as string)
        .locator('.ticket')
        .textContent(),
    ).toBe(`#${(held as string).slice(0, 4).toUpperCase()}`);
    await page.locator('#queued-count', { hasText: '0' }).waitFor();

    await inHand(held as string)
      .locator('.ready')
      .click();
    const customer = await reply;
    expect(customer.status).toBe(200);
    expect(customer.body).toMatchObject({
      order_id: held,
      status: 'ready',
      barista: 'ana',
      finished_by: 'ana',
    });
    await inHand(held as string).waitFor({ state: 'detached' });
    expect(await page.locator('#notice').getAttribute('data-kind')).toBe('done');

    // The token is kept for the tab: a reload does not ask again.
    await page.reload();
    await live();
    expect(await signInDialog().count()).toBe(0);
  });

  it('holds several orders, each with its own Ready; an empty queue says so calmly', async () => {
    await open('/station');
    await signInDialog().waitFor();
    await signIn(ANA);
    await live();

    await page.locator('#take').click();
    await page.locator('#notice[data-kind="calm"]', { hasText: 'Nothing is waiting' }).waitFor();

    cafe.signIn(BEN);
    const first = await cafe.order({ localAddress: '127.0.5.1' });
    const second = await cafe.order({ localAddress: '127.0.5.2' });
    await page.locator('#take').click();
    await page.locator('#in-hand li').nth(0).waitFor();
    await page.locator('#take').click();
    await page.locator('#in-hand li').nth(1).waitFor();
    expect(await text('#in-hand-count')).toBe('2');
    const ids = await page
      .locator('#in-hand li')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-order-id') as string));

    await inHand(ids[1]).locator('.ready').click();
    expect((await second.reply).body).toMatchObject({ order_id: ids[1], status: 'ready' });
    await inHand(ids[1]).waitFor({ state: 'detached' });
    expect(await page.locator('#in-hand li').count()).toBe(1);

    // Finished from elsewhere: the stream takes it out of this station's hands.
    await cafe.barista('POST', `/finish/?order_id=${ids[0]}`);
    await inHand(ids[0]).waitFor({ state: 'detached' });
    expect((await first.reply).status).toBe(200);
    expect(await page.locator('#empty-hand').isVisible()).toBe(true);
  });

  it('says what happened and what to do when the café cannot be reached', async () => {
    await open('/station', {});
    await live();
    expect(await signInDialog().count()).toBe(0);
    await cafe.close();
    await page.locator('#take').click();
    await page.locator('#notice[data-kind="error"]', { hasText: 'Lost the connection' }).waitFor();
    expect(await text('#notice')).toContain('orders in hand are kept');
  });

  it('says what a 503 means for a barista, with the café’s reason', async () => {
    // The café answers 503 when its log cannot take writes; the page is what is tested here.
    await open('/station', {}, () =>
      page.route('**/start/', (route) =>
        route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({
            statusCode: 503,
            error: 'Service Unavailable',
            message: 'the order log is unavailable: connection refused',
          }),
        }),
      ),
    );
    await live();
    await page.locator('#take').click();
    await page.locator('#notice[data-kind="error"]', { hasText: 'answered 503' }).waitFor();
    expect(await text('#notice')).toBe(
      'Could not take an order: the café answered 503 (the order log is unavailable: connection refused). ' +
        'The café is closing or cannot record orders right now: try again in a few seconds.',
    );
    expect(await page.locator('#take').isEnabled()).toBe(true);
  });

  it('says so when an order in hand was finished elsewhere (409), and lets it go', async () => {
    let customer: Promise<unknown> = Promise.resolve();
    // Without the stream the page cannot learn of the other finish before its own Ready.
    await open('/station', {}, async () => {
      await page.route('**/events/stream*', (route) => route.abort());
      customer = (await cafe.order()).reply;
    });
    await page.locator('#queued-count', { hasText: '1' }).waitFor();
    await page.locator('#take').click();
    const held = page.locator('#in-hand li');
    await held.waitFor();
    const id = (await held.getAttribute('data-order-id')) as string;
    expect((await cafe.barista('POST', `/finish/?order_id=${id}`)).status).toBe(200);
    await customer;

    await held.locator('.ready').click();
    await page.locator('#notice[data-kind="error"]', { hasText: 'no longer yours' }).waitFor();
    expect(await text('#notice')).toContain('is ready, not brewing');
    await held.waitFor({ state: 'detached' });
  });

  it('works without tokens, as the reference clients do, and names nobody', async () => {
    await open('/station', {});
    await live();
    const { reply } = await cafe.order();
    await page.locator('#take').click();
    await page.locator('#in-hand li .ready').click();
    expect((await reply).body).not.toHaveProperty('barista');
    expect(await page.locator('#sign-out').isVisible()).toBe(false);
  });

  it('the board asks for a token too, then shows who is brewing', async () => {
    await open('/');
    await signInDialog().waitFor();
    await signIn(BEN);
    await live();
    await cafe.signIn(ANA).order();
    const started = await cafe.barista('GET', '/start/');
    await page
      .locator(`#brewing [data-order-id="${started.body.order_id}"] .barista`, { hasText: 'ana' })
      .waitFor();
  });

  if (adapter === 'express') {
    it('looks like a tablet at the machine (the screenshot in docs/operations.md)', async () => {
      await open('/station');
      await signInDialog().waitFor();
      await signIn(ANA);
      await live();
      cafe.signIn(BEN);
      for (let i = 1; i <= 6; i++) await cafe.order({ localAddress: `127.0.6.${i}` });
      await page.locator('#take').click();
      await page.locator('#in-hand li').nth(0).waitFor();
      await page.locator('#take').click();
      await page.locator('#in-hand li').nth(1).waitFor();
      await page.locator('#queued-count', { hasText: '4' }).waitFor();
      await page.screenshot({ path: SCREENSHOT });
      expect(existsSync(SCREENSHOT)).toBe(true);
    });
  }
});
