// The order board: starts from the board's state, then follows /events/stream. No build step.
'use strict';

(() => {
  const { live, ticket, duration, oncePerBurst } = window.staffSession;
  // Thousands of queued cards would not fit on a wall anyway; past this the column says "+ N more".
  const CARDS_SHOWN = 40;

  /** Order id -> {id, status, placedAt, startedAt, finishedAt, barista}; ready ones only while shown. */
  const orders = new Map();
  /** Ready order ids, newest first; the server says how many to keep. */
  let ready = [];
  let readyShown = 20;

  const element = (id) => document.getElementById(id);

  function apply(event) {
    const at = Date.parse(event.at);
    const order = orders.get(event.order_id);
    switch (event.type) {
      case 'OrderPlaced':
        orders.set(event.order_id, { id: event.order_id, status: 'queued', placedAt: at });
        break;
      case 'OrderStarted':
        if (order)
          Object.assign(order, { status: 'brewing', startedAt: at, barista: event.data.barista });
        break;
      // The barista's lease ran out: the order waits again, at its old place.
      case 'OrderRequeued':
        if (order)
          Object.assign(order, { status: 'queued', startedAt: undefined, barista: undefined });
        break;
      case 'OrderFinished':
        if (!order) break;
        Object.assign(order, { status: 'ready', finishedAt: at });
        ready.unshift(order.id);
        for (const gone of ready.splice(readyShown)) orders.delete(gone);
        break;
      case 'OrderCancelled':
        orders.delete(event.order_id);
        break;
    }
  }

  const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  function card(order, time) {
    const item = document.createElement('li');
    item.dataset.orderId = order.id;
    const name = document.createElement('span');
    name.className = 'ticket';
    name.textContent = ticket(order.id);
    const when = document.createElement('span');
    when.className = 'time';
    when.textContent = time;
    item.append(name);
    // Who is brewing it (or brewed it), when the café knows its baristas by token.
    if (order.barista) {
      const barista = document.createElement('span');
      barista.className = 'barista';
      barista.textContent = order.barista;
      item.append(barista);
    }
    item.append(when);
    return item;
  }

  function fill(status, list, time) {
    element(status + '-count').textContent = String(list.length);
    const cards = list.slice(0, CARDS_SHOWN).map((order) => card(order, time(order)));
    if (list.length > CARDS_SHOWN) {
      const more = document.createElement('li');
      more.className = 'more';
      more.textContent = '+ ' + (list.length - CARDS_SHOWN) + ' more';
      cards.push(more);
    }
    element(status).replaceChildren(...cards);
  }

  function render() {
    const now = Date.now();
    const all = [...orders.values()];
    const queued = all.filter((order) => order.status === 'queued');
    const brewing = all
      .filter((order) => order.status === 'brewing')
      .sort((a, b) => a.startedAt - b.startedAt);
    fill('queued', queued, (order) => duration(now - order.placedAt));
    fill('brewing', brewing, (order) => duration(now - order.startedAt));
    fill(
      'ready',
      ready.map((id) => orders.get(id)),
      (order) => clock(order.finishedAt),
    );
    // The longest wait is that of the earliest customer still without a drink.
    const waiting = queued.concat(brewing).map((order) => order.placedAt);
    element('longest-wait').textContent = waiting.length
      ? duration(now - Math.min(...waiting))
      : '–';
  }

  const renderSoon = oncePerBurst(() => render(), 50);

  const time = (iso) => (iso === undefined ? undefined : Date.parse(iso));

  function load(state) {
    orders.clear();
    ready = [];
    readyShown = state.ready_shown;
    for (const order of state.orders) {
      orders.set(order.order_id, {
        id: order.order_id,
        status: order.status,
        placedAt: time(order.placed_at),
        startedAt: time(order.started_at),
        finishedAt: time(order.finished_at),
        barista: order.barista,
      });
      if (order.status === 'ready') ready.push(order.order_id);
    }
  }

  live({
    load: (state) => {
      load(state);
      render();
    },
    onEvent: (event) => {
      apply(event);
      renderSoon();
    },
  });
  setInterval(render, 1000);
})();
