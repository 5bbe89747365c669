/** The connection pill in the header, plus short-lived notices (toasts) for server errors. */
const LABELS = {
  connecting: 'Connecting…',
  online: 'Online',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
};

/** What a screen reader hears on a change; the per-second countdown is deliberately silent. */
const ANNOUNCEMENTS = {
  online: 'Connected.',
  reconnecting: 'Connection lost. Reconnecting.',
  offline: 'You are offline. Messages will be sent when the connection is back.',
};

export class ConnectionIndicator {
  #root;
  #text;
  #retry;
  #announcer;
  #ticker = 0;
  #announced = '';

  constructor({ root, text, retry, announcer, onRetry }) {
    this.#root = root;
    this.#text = text;
    this.#retry = retry;
    this.#announcer = announcer;
    retry.addEventListener('click', onRetry);
  }

  show({ state, retryAt }) {
    clearInterval(this.#ticker);
    this.#root.dataset.state = state;
    this.#retry.hidden = state !== 'reconnecting';
    if (state === 'reconnecting' && retryAt) {
      const tick = () => {
        const seconds = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
        this.#text.textContent = seconds > 0 ? `Reconnecting in ${seconds}s` : 'Reconnecting…';
      };
      tick();
      this.#ticker = setInterval(tick, 250);
    } else {
      this.#text.textContent = LABELS[state] ?? state;
    }
    // A retry loop alternates reconnecting/connecting: only announce a different settled state.
    if (state !== 'connecting' && state !== this.#announced) {
      this.#announced = state;
      this.#announcer.textContent = ANNOUNCEMENTS[state];
    }
  }
}

const TOAST_MS = 6000;

export function showToast(container, message, kind = 'error') {
  const toast = document.createElement('div');
  toast.className = `toast ${kind}`;
  const text = document.createElement('span');
  text.textContent = message;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'toast-close';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  const remove = () => toast.remove();
  close.addEventListener('click', remove);
  toast.append(text, close);
  container.append(toast);
  while (container.childElementCount > 3) container.firstElementChild.remove();
  setTimeout(remove, TOAST_MS);
}
