// The station at the machine: take the next order, say when it is ready. Starts from
// board/state, then follows the event stream for the queue's length and oldest wait. No build step.
'use strict';

(() => {
  const {
    request,
    live,
    SignInNeeded,
    onSignIn,
    signOut,
    hasToken,
    ticket,
    duration,
    oncePerBurst,
  } = window.staffSession;
  // Kept per browser tab, so a reload does not drop the orders a barista is brewing.
  const HAND_KEY = 'cafe.station.in-hand';

  /** Queued and brewing orders: id -> {status, placedAt}. */
  const active = new Map();
  /** Orders this station took and has not finished, oldest first: {id, startedAt}. */
  let hand = JSON.parse(sessionStorage.getItem(HAND_KEY) || '[]');

  const element = (id) => document.getElementById(id);
  const saveHand = () => sessionStorage.setItem(HAND_KEY, JSON.stringify(hand));

  function dropFromHand(id) {
    if (!hand.some((order) => order.id === id)) return;
    hand = hand.filter((order) => order.id !== id);
    saveHand();
    renderHand();
  }

  function notice(kind, text) {
    const box = element('notice');
    box.dataset.kind = kind;
    box.textContent = text;
  }

  function apply(event) {
    const order = active.get(event.order_id);
    switch (event.type) {
      case 'OrderPlaced':
        active.set(event.order_id, { status: 'queued', placedAt: Date.parse(event.at) });
        break;
      case 'OrderStarted':
        if (order) order.status = 'brewing';
        break;
      case 'OrderRequeued':
        if (order) order.status = 'queued';
        if (hand.some((held) => held.id === event.order_id)) {
          dropFromHand(event.order_id);
          notice(
            'error',
            ticket(event.order_id) + ' was held too long and went back to the queue.',
          );
        }
        break;
      case 'OrderFinished':
      case 'OrderCancelled':
        active.delete(event.order_id);
        dropFromHand(event.order_id);
        break;
    }
  }

  /** Counts and timers; once a second and after each event. Leaves the buttons alone, so a tap is never lost. */
  function tick() {
    const now = Date.now();
    const queued = [...active.values()].filter((order) => order.status === 'queued');
    element('queued-count').textContent = String(queued.length);
    element('oldest-wait').textContent = queued.length
      ? duration(now - Math.min(...queued.map((order) => order.placedAt)))
      : '–';
    for (const order of hand) {
      const timer = document.querySelector('[data-order-id="' + order.id + '"] .timer');
      if (timer) timer.textContent = duration(now - order.startedAt);
    }
  }

  const tickSoon = oncePerBurst(() => tick(), 100);

  /** The cards of the orders in hand; only when the hand changed. */
  function renderHand() {
    element('in-hand-count').textContent = String(hand.length);
    element('empty-hand').hidden = hand.length > 0;
    element('sign-out').hidden = !hasToken();
    const cards = hand.map((order) => {
      const item = document.createElement('li');
      item.dataset.orderId = order.id;
      const name = document.createElement('span');
      name.className = 'ticket';
      name.textContent = ticket(order.id);
      const timer = document.createElement('span');
      timer.className = 'timer';
      const ready = document.createElement('button');
      ready.type = 'button';
      ready.className = 'ready';
      ready.textContent = 'Ready';
      ready.addEventListener('click', () => finish(order.id, ready));
      item.append(name, timer, ready);
      return item;
    });
    element('in-hand').replaceChildren(...cards);
    tick();
  }

  /** What went wrong, in words for the barista, and what to do about it. */
  async function problem(response, doing) {
    const body = await response.json().catch(() => ({}));
    const said = body.message ? ' (' + [].concat(body.message).join('; ') + ')' : '';
    const advice =
      response.status === 503
        ? 'The café is closing or cannot record orders right now: try again in a few seconds.'
        : 'Try again; if it keeps happening, tell your manager.';
    return doing + ': the café answered ' + response.status + said + '. ' + advice;
  }

  function failed(error) {
    if (error instanceof SignInNeeded) {
      notice('error', 'Sign in with your token to go on.');
    } else {
      notice(
        'error',
        'Lost the connection to the café. Check the tablet’s network, then press again; orders in hand are kept.',
      );
    }
  }

  async function take() {
    const button = element('take');
    button.disabled = true;
    try {
      const response = await request('start/');
      if (response.status === 404) {
        notice('calm', 'Nothing is waiting. New orders show up in the count above by themselves.');
      } else if (!response.ok) {
        notice('error', await problem(response, 'Could not take an order'));
      } else {
        const order = await response.json();
        hand.push({ id: order.order_id, startedAt: Date.parse(order.started_at) });
        saveHand();
        renderHand();
        notice('calm', 'Brewing ' + ticket(order.order_id) + '. Press Ready when it is done.');
      }
    } catch (error) {
      failed(error);
    } finally {
      button.disabled = false;
    }
  }

  async function finish(id, button) {
    button.disabled = true;
    try {
      const response = await request('finish/?order_id=' + encodeURIComponent(id), {
        method: 'POST',
      });
      if (response.ok || response.status === 409 || response.status === 404) dropFromHand(id);
      if (response.ok) {
        notice('done', ticket(id) + ' is ready: its customer has been told.');
      } else if (response.status === 409 || response.status === 404) {
        const body = await response.json().catch(() => ({}));
        notice(
          'error',
          ticket(id) +
            ' is no longer yours to finish (' +
            body.message +
            '): another barista finished it, or it went back to the queue. It has left your list.',
        );
      } else {
        notice('error', await problem(response, 'Could not mark ' + ticket(id) + ' ready'));
      }
    } catch (error) {
      failed(error);
    } finally {
      // The card is gone once the order left the hand; otherwise it can be pressed again.
      button.disabled = false;
    }
  }

  function load(state) {
    active.clear();
    for (const order of state.orders) {
      if (order.status === 'queued' || order.status === 'brewing') {
        active.set(order.order_id, { status: order.status, placedAt: Date.parse(order.placed_at) });
      }
    }
    // Orders finished or requeued while the page was away have left this station's hands.
    hand = hand.filter((held) => active.get(held.id)?.status === 'brewing');
    saveHand();
    renderHand();
  }

  element('take').addEventListener('click', take);
  element('sign-out').addEventListener('click', signOut);
  // A refused token is found out at the next request, so signing in promises nothing yet.
  onSignIn(() => notice('calm', ''));
  renderHand();
  live({
    load,
    onEvent: (event) => {
      apply(event);
      tickSoon();
    },
  });
  setInterval(tick, 1000);
})();
