import { avatarFor, hueFor } from './avatar.js';

/** Messages from the same author this close together share one header. */
const GROUP_WINDOW_MS = 5 * 60_000;
/** Within this many pixels of the bottom the view follows new messages. */
const STICK_PX = 96;

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });

function dayKey(date) {
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

function dayLabel(date) {
  const today = new Date();
  if (dayKey(date) === dayKey(today)) return 'Today';
  today.setDate(today.getDate() - 1);
  if (dayKey(date) === dayKey(today)) return 'Yesterday';
  return dayFormat.format(date);
}

function parseTime(at) {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? new Date() : date;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const PENDING_LABEL = {
  queued: 'Waiting to send…',
  sending: 'Sending…',
  acked: 'Sending…',
  failed: 'Not sent',
};

/**
 * Renders the conversation. Everything user-supplied goes through textContent, never markup.
 * Confirmed messages live in the log in server order; messages still on their way sit in a
 * separate outbox right below it, so a confirmation never reorders what is on screen.
 */
export class MessageView {
  #scroller;
  #log;
  #outbox;
  #jump;
  #pending = new Map();
  #tail = null; // {sender, time, day} of the last log entry, for grouping
  #isOwn;

  /** `isOwn(message)`: whether this page sent it (ChatClient#isMine). */
  constructor({ scroller, log, outbox, jump, onRetry, onDiscard, isOwn }) {
    this.#isOwn = isOwn;
    this.#scroller = scroller;
    this.#log = log;
    this.#outbox = outbox;
    this.#jump = jump;
    jump.addEventListener('click', () => this.scrollToEnd(true));
    scroller.addEventListener('scroll', () => {
      if (this.#atBottom()) jump.hidden = true;
    });
    outbox.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-action]');
      const ref = button?.closest('[data-ref]')?.dataset.ref;
      if (!ref) return;
      if (button.dataset.action === 'retry') onRetry(ref);
      else onDiscard(ref);
    });
  }

  get oldestId() {
    const first = this.#log.querySelector('.msg[data-id]');
    return first ? this.#idOf(first) : undefined;
  }

  get isEmpty() {
    return !this.#log.querySelector('.msg');
  }

  clear() {
    this.#log.replaceChildren();
    this.#outbox.replaceChildren();
    this.#pending.clear();
    this.#tail = null;
    this.#jump.hidden = true;
  }

  /** Appends new messages; follows them if the reader was at the bottom (or wrote one). */
  append(messages) {
    if (messages.length === 0) return;
    const follow = this.#atBottom() || messages.some((m) => this.#isOwn(m));
    const fragment = document.createDocumentFragment();
    this.#tail = this.#render(messages, this.#tail, fragment);
    this.#log.append(fragment);
    if (follow) this.scrollToEnd(false);
    else this.#jump.hidden = false;
  }

  /** Inserts older messages at the top without moving what the reader is looking at. */
  prepend(messages) {
    if (messages.length === 0) return;
    const fragment = document.createDocumentFragment();
    const last = this.#render(messages, null, fragment);
    // The first divider of the log, for the oldest message shown so far: a duplicate of our
    // last one when they are of the same day (whatever notices came in between).
    const header = this.#log.querySelector('.day');
    if (last && header?.dataset.day === last.day) header.remove();
    const before = this.#scroller.scrollHeight;
    this.#log.prepend(fragment);
    this.#scroller.scrollTop += this.#scroller.scrollHeight - before;
  }

  /** A one-line notice in the log (someone joined/left, reconnected...). */
  notice(text) {
    const follow = this.#atBottom();
    const item = el('li', 'notice');
    item.append(el('span', '', text));
    this.#log.append(item);
    // Ends the author's group, not the day: the next message of the same day needs no new divider.
    if (this.#tail) this.#tail = { ...this.#tail, sender: null };
    if (follow) this.scrollToEnd(false);
  }

  /** Marks the top of the room's history (nothing older exists). */
  beginning(room) {
    if (this.#log.querySelector('.beginning')) return;
    const item = el('li', 'beginning');
    item.append(el('strong', '', `#${room}`));
    item.append(el('span', '', 'This is the very beginning of the room.'));
    this.#log.prepend(item);
  }

  /** Shows, updates or (status 'done') removes one message that is still on its way. */
  upsertPending(entry) {
    let item = this.#pending.get(entry.ref);
    if (entry.status === 'done') {
      item?.remove();
      this.#pending.delete(entry.ref);
      return;
    }
    if (!item) {
      item = this.#pendingItem(entry);
      this.#pending.set(entry.ref, item);
      this.#outbox.append(item);
      this.scrollToEnd(false);
    }
    item.dataset.status = entry.status;
    const problem = entry.status === 'failed';
    const label = entry.error ? `${PENDING_LABEL[entry.status]}: ${entry.error}` : PENDING_LABEL[entry.status];
    item.querySelector('.state-text').textContent = label;
    item.querySelector('.actions').hidden = !problem;
  }

  scrollToEnd(smooth) {
    this.#scroller.scrollTo({ top: this.#scroller.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
    this.#jump.hidden = true;
  }

  #render(messages, tail, fragment) {
    for (const message of messages) {
      const time = parseTime(message.at);
      const day = dayKey(time);
      if (tail?.day !== day) {
        const header = el('li', 'day');
        header.dataset.day = day;
        header.setAttribute('role', 'separator');
        header.append(el('span', '', dayLabel(time)));
        fragment.append(header);
        tail = null;
      }
      const from = String(message.from ?? '');
      // Two people with one name are two senders: grouped by id where messages carry one.
      const sender = message.fromId ? `id:${message.fromId}` : `name:${from}`;
      const continued = tail !== null && tail.sender === sender && time - tail.time < GROUP_WINDOW_MS;
      fragment.append(this.#messageItem(message, from, time, continued));
      tail = { sender, time, day };
    }
    return tail;
  }

  #messageItem(message, from, time, continued) {
    const own = this.#isOwn(message);
    const item = el('li', `msg${own ? ' own' : ''}${continued ? ' continued' : ''}`);
    item.dataset.id = String(message.id);
    item.dataset.idType = typeof message.id;
    item.dataset.from = from;
    item.append(continued ? el('span', 'avatar spacer') : avatarFor(from));
    const body = el('div', 'body');
    const meta = el('div', continued ? 'meta visually-hidden' : 'meta');
    const author = el('span', 'author', from);
    author.style.setProperty('--hue', String(hueFor(from)));
    const stamp = el('time', '', timeFormat.format(time));
    stamp.dateTime = time.toISOString();
    stamp.title = fullFormat.format(time);
    meta.append(author, ' ', stamp);
    body.append(meta, el('p', 'text', String(message.text)));
    item.append(body);
    return item;
  }

  #pendingItem(entry) {
    const item = el('li', 'msg own pending');
    item.dataset.ref = entry.ref;
    item.append(el('span', 'avatar spacer'));
    const body = el('div', 'body');
    const state = el('div', 'state');
    state.append(el('span', 'state-text'));
    const actions = el('span', 'actions');
    for (const [action, label] of [
      ['retry', 'Retry'],
      ['discard', 'Discard'],
    ]) {
      const button = el('button', 'link', label);
      button.type = 'button';
      button.dataset.action = action;
      actions.append(button);
    }
    state.append(actions);
    body.append(el('p', 'text', entry.text), state);
    item.append(body);
    return item;
  }

  #idOf(item) {
    return item.dataset.idType === 'number' ? Number(item.dataset.id) : item.dataset.id;
  }

  #atBottom() {
    const s = this.#scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < STICK_PX;
  }
}
