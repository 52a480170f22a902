// The barista pages' link to the café: requests with the barista's token, when the café asks
// for one, and the live event stream. Shared by the board and the station. No build step.
'use strict';

(() => {
  const TOKEN_KEY = 'cafe.barista-token';
  const RETRY_MS = 3000;

  /** Thrown by request() when the café refused the token; the sign-in dialog is then showing. */
  class SignInNeeded extends Error {}

  const signedIn = new Set();
  let dialog;

  const token = () => sessionStorage.getItem(TOKEN_KEY);

  function signInDialog() {
    if (dialog) return dialog;
    dialog = document.createElement('dialog');
    dialog.className = 'sign-in';
    dialog.innerHTML =
      '<form method="dialog">' +
      '<h2>Barista sign-in</h2>' +
      '<p class="sign-in-reason"></p>' +
      '<label>Your barista token <input name="token" type="password" autocomplete="current-password" required></label>' +
      '<button type="submit">Sign in</button>' +
      '</form>';
    // A café that asks for tokens cannot be used without one: Escape does not dismiss it.
    dialog.addEventListener('cancel', (event) => event.preventDefault());
    dialog.querySelector('form').addEventListener('submit', () => {
      const input = dialog.querySelector('input');
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      input.value = '';
      for (const listener of signedIn) listener();
    });
    document.body.append(dialog);
    return dialog;
  }

  function askForToken(reason) {
    const shown = signInDialog();
    shown.querySelector('.sign-in-reason').textContent = reason;
    if (!shown.open) shown.showModal();
  }

  /** fetch() with the barista's token. On 401 it forgets the token, asks for one and throws SignInNeeded. */
  async function request(path, init = {}) {
    const headers = new Headers(init.headers);
    const current = token();
    if (current) headers.set('authorization', 'Bearer ' + current);
    const response = await fetch(path, { cache: 'no-store', ...init, headers });
    if (response.status !== 401) return response;
    sessionStorage.removeItem(TOKEN_KEY);
    askForToken(
      current
        ? 'That token was refused. Check it with your manager and enter it again.'
        : 'This café asks baristas for their token. You enter it once per browser tab.',
    );
    throw new SignInNeeded();
  }

  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /**
   * Reads `text/event-stream` blocks from the stream after `position`, calling onEvent with each
   * event; reconnects after the last event it saw. fetch,
   * not EventSource: EventSource cannot send the Authorization header, and a token in the URL
   * would end up in logs.
   */
  async function follow(position, onEvent) {
    let after = position;
    for (;;) {
      try {
        const response = await request('events/stream?after=' + after);
        if (!response.ok) throw new Error('events/stream answered ' + response.status);
        showConnection('live');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = Object.fromEntries(
              block
                .split('\n')
                .filter((line) => !line.startsWith(':'))
                .map((line) => [
                  line.slice(0, line.indexOf(':')),
                  line.slice(line.indexOf(':') + 2),
                ]),
            );
            if (fields.data === undefined) continue;
            after = Number(fields.id);
            onEvent(JSON.parse(fields.data));
          }
        }
      } catch (error) {
        // Signed out: the page starts over once a token is entered.
        if (error instanceof SignInNeeded) return;
      }
      showConnection('reconnecting');
      await pause(RETRY_MS);
    }
  }

  /** The page's #connection badge: live, or reconnecting. */
  function showConnection(state) {
    const badge = document.getElementById('connection');
    badge.dataset.state = state;
    badge.textContent = state;
  }

  /**
   * Keeps a page live: hands board/state to `load`, then each later event to `onEvent`.
   * Starts over after a failure, and after a sign-in if the token was refused.
   */
  function live({ load, onEvent }) {
    let running = false;
    async function start() {
      if (running) return;
      running = true;
      try {
        const answer = await request('board/state');
        if (!answer.ok) throw new Error('board/state answered ' + answer.status);
        const state = await answer.json();
        load(state);
        // Returns only once the token was refused; the next sign-in starts over.
        await follow(state.position, onEvent);
      } catch (error) {
        if (!(error instanceof SignInNeeded)) {
          showConnection('reconnecting');
          setTimeout(start, RETRY_MS);
        }
      } finally {
        running = false;
      }
    }
    signedIn.add(start);
    start();
  }

  /** An order's short id, as the board and the station show it. */
  const ticket = (id) => '#' + id.slice(0, 4).toUpperCase();

  /** m:ss */
  function duration(ms) {
    const seconds = Math.max(0, Math.floor(ms / 1000));
    const minutes = Math.floor(seconds / 60);
    return minutes + ':' + String(seconds % 60).padStart(2, '0');
  }

  /**
   * `fn` once per burst: a rush brings hundreds of events a second, and a page redraws once
   * `ms` after the first of them, not once per event.
   */
  function oncePerBurst(fn, ms) {
    let scheduled = false;
    return () => {
      if (scheduled) return;
      scheduled = true;
      setTimeout(() => {
        scheduled = false;
        fn();
      }, ms);
    };
  }

  window.staffSession = {
    ticket,
    duration,
    oncePerBurst,
    request,
    live,
    SignInNeeded,
    /** Runs `listener` after each sign-in: the page reloads what the refusal interrupted. */
    onSignIn: (listener) => signedIn.add(listener),
    signOut: () => {
      sessionStorage.removeItem(TOKEN_KEY);
      location.reload();
    },
    hasToken: () => token() !== null,
  };
})();
