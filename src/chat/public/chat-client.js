import { backoffDelay } from './backoff.js';

const SOCKET_OPEN = 1;
/** A server that accepts the socket but never answers `join` is treated as down. */
const JOIN_TIMEOUT_MS = 10_000;

const NUMERIC_ID = /^\d+(?:-\d+)*$/;

/**
 * Whether message id `id` is newer than `reference`. Ids are numbers or runs of digits joined
 * by dashes ("1700000000000-3", the shape of Redis stream ids), compared part by part as
 * numbers of any length; anything else is taken in arrival order.
 */
function isAfter(id, reference) {
  if (reference === undefined) return true;
  if (typeof id === 'number' && typeof reference === 'number') return id > reference;
  const a = String(id);
  const b = String(reference);
  if (!NUMERIC_ID.test(a) || !NUMERIC_ID.test(b)) return true;
  const left = a.split('-');
  const right = b.split('-');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = (left[i] ?? '0').replace(/^0+(?=\d)/, '');
    const y = (right[i] ?? '0').replace(/^0+(?=\d)/, '');
    if (x.length !== y.length) return x.length > y.length;
    if (x !== y) return x > y;
  }
  return false;
}

function isMessage(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    (typeof value.id === 'number' || typeof value.id === 'string') &&
    typeof value.text === 'string'
  );
}

/**
 * One chat session over the `/chat` JSON protocol: keeps a socket open (reconnecting with
 * backoff), stays joined to one room, resumes with `since` so nothing is missed or repeated,
 * and tracks outgoing messages until the server acknowledges them.
 *
 * Events (CustomEvent, payload in `detail`):
 *  state    {state: 'connecting'|'online'|'reconnecting'|'offline', retryAt?}
 *  joined   {room, you, members, count, history, resumed, truncated}
 *  message  one new message of the current room
 *  history  {room, messages} older messages asked for with loadOlder()
 *  presence {room, name, event, members, count?, joins?, leaves?}
 *  outbox   {ref, room, text, status: 'queued'|'sending'|'acked'|'unconfirmed'|'failed'|'done', error?}
 *  problem  {code, message} errors that belong to no pending message
 *  name     {name, locked} the name the server gave us instead of the one we asked for
 *
 * `isMine(message)` tells this page's own messages by their `fromId`, so two people who chose
 * the same name are told apart.
 */
export class ChatClient extends EventTarget {
  #url;
  #WebSocket;
  #isOnline;
  #socket = null;
  #stopped = true;
  #attempt = 0;
  #retryTimer = 0;
  #joinTimer = 0;
  #state = 'connecting';
  #room = '';
  #name = '';
  #joined = false;
  #lastId = undefined;
  #seen = new Set();
  #outbox = new Map();
  #refSeq = 0;
  /** Every `fromId` this page has posted under: an anonymous client gets a new one per connection. */
  #myIds = new Set();

  constructor(url, { WebSocketImpl = globalThis.WebSocket, isOnline = () => navigator.onLine } = {}) {
    super();
    this.#url = url;
    this.#WebSocket = WebSocketImpl;
    this.#isOnline = isOnline;
  }

  get state() {
    return this.#state;
  }
  get room() {
    return this.#room;
  }
  get name() {
    return this.#name;
  }
  get joined() {
    return this.#joined;
  }

  /** Whether this page sent the message (by name only for messages without a sender id). */
  isMine(message) {
    const fromId = message?.fromId;
    if (typeof fromId === 'string' && fromId !== '') return this.#myIds.has(fromId);
    return message?.from === this.#name;
  }

  start(name, room) {
    this.#name = name;
    this.#room = room;
    if (!this.#stopped) return;
    this.#stopped = false;
    addEventListener('online', this);
    addEventListener('offline', this);
    this.#connect();
  }

  stop() {
    this.#stopped = true;
    removeEventListener('online', this);
    removeEventListener('offline', this);
    clearTimeout(this.#retryTimer);
    this.#socket?.close(1000, 'bye');
  }

  /** Skips the remaining backoff wait. */
  reconnectNow() {
    if (this.#stopped || this.#socket) return;
    clearTimeout(this.#retryTimer);
    this.#connect();
  }

  /** Window online/offline events (the object is its own listener, no closure to unbind). */
  handleEvent(event) {
    if (event.type === 'online') {
      this.#attempt = 0;
      this.reconnectNow();
    } else if (event.type === 'offline' && !this.#joined) {
      this.#setState('offline');
    }
  }

  send(text) {
    const ref = `m${Date.now().toString(36)}.${++this.#refSeq}`;
    const entry = { ref, room: this.#room, text, status: 'queued', id: undefined, error: undefined };
    this.#outbox.set(ref, entry);
    if (this.#joined) this.#transmit(entry);
    else this.#emit('outbox', { ...entry });
    return ref;
  }

  retry(ref) {
    const entry = this.#outbox.get(ref);
    if (!entry || (entry.status !== 'failed' && entry.status !== 'unconfirmed')) return;
    entry.status = 'queued';
    entry.error = undefined;
    if (this.#joined && entry.room === this.#room) this.#transmit(entry);
    else this.#emit('outbox', { ...entry });
  }

  discard(ref) {
    const entry = this.#outbox.get(ref);
    if (entry) this.#settle(entry);
  }

  rename(name) {
    if (name === this.#name) return;
    this.#name = name;
    if (this.#joined) this.#write('nick', { name });
    else if (this.#socket?.readyState === SOCKET_OPEN) this.#join();
  }

  switchRoom(room) {
    if (room === this.#room) return;
    if (this.#joined) this.#write('leave', { room: this.#room });
    for (const entry of this.#outbox.values()) this.#settle(entry);
    this.#room = room;
    this.#joined = false;
    this.#lastId = undefined;
    this.#seen.clear();
    if (this.#socket?.readyState === SOCKET_OPEN) this.#join();
  }

  /** Asks for up to `limit` messages before `before` (a message id); answered by `history`. */
  loadOlder(before, limit = 50) {
    if (!this.#joined) return false;
    this.#write('history', { room: this.#room, before, limit });
    return true;
  }

  #connect() {
    // navigator.onLine is only a hint (it is false on a machine with no network even for a
    // server on localhost), so an offline browser still tries; it just says "Offline".
    this.#setState(this.#isOnline() ? 'connecting' : 'offline');
    let socket;
    try {
      socket = new this.#WebSocket(this.#url);
    } catch (err) {
      this.#emit('problem', { code: 'connect_failed', message: String(err?.message ?? err) });
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    socket.addEventListener('open', () => this.#join());
    socket.addEventListener('message', (event) => this.#receive(socket, event.data));
    socket.addEventListener('close', () => this.#closed(socket));
  }

  #join() {
    const data = { room: this.#room, name: this.#name };
    if (this.#lastId !== undefined) data.since = this.#lastId;
    this.#write('join', data);
    clearTimeout(this.#joinTimer);
    const socket = this.#socket;
    this.#joinTimer = setTimeout(() => {
      if (socket === this.#socket && !this.#joined) socket.close(4000, 'join timeout');
    }, JOIN_TIMEOUT_MS);
  }

  #closed(socket) {
    if (socket !== this.#socket) return;
    clearTimeout(this.#joinTimer);
    this.#socket = null;
    this.#joined = false;
    for (const entry of this.#outbox.values()) {
      // Sent but never acknowledged: it may or may not have been stored, so the user decides.
      if (entry.status === 'sending') this.#update(entry, 'unconfirmed');
    }
    if (!this.#stopped) this.#scheduleReconnect();
  }

  #scheduleReconnect() {
    const delay = backoffDelay(this.#attempt++);
    if (this.#isOnline()) this.#setState('reconnecting', Date.now() + delay);
    else this.#setState('offline');
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  #receive(socket, raw) {
    if (socket !== this.#socket || typeof raw !== 'string') return;
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    const data = frame?.data ?? {};
    switch (frame?.event) {
      case 'joined':
        return this.#onJoined(data);
      case 'message':
        return this.#onMessage(data);
      case 'ack':
        return this.#onAck(data);
      case 'presence':
        if (data.room === this.#room) this.#emit('presence', data);
        return;
      case 'history':
        return this.#onHistory(data);
      case 'error':
      case 'exception':
        return this.#onError(data);
      case 'welcome':
        return this.#rememberId(data);
      default:
        return; // future events need nothing from us
    }
  }

  #onJoined(data) {
    if (data.room !== this.#room) return;
    clearTimeout(this.#joinTimer);
    const resumed = this.#lastId !== undefined;
    this.#joined = true;
    this.#attempt = 0;
    this.#rememberId(data.you);
    const serverName = data.you?.name;
    if (typeof serverName === 'string' && serverName && serverName !== this.#name) {
      // We asked for a name in `join` and got another: the server fixes it (JWT mode).
      this.#name = serverName;
      this.#emit('name', { name: serverName, locked: true });
    }
    const history = (Array.isArray(data.history) ? data.history : []).filter((m) => this.#accept(m));
    this.#setState('online');
    this.#emit('joined', {
      room: data.room,
      you: data.you,
      members: Array.isArray(data.members) ? data.members : [],
      count: typeof data.count === 'number' ? data.count : undefined,
      history,
      resumed,
      // The server could not hand over everything since our last message (it fell out of history).
      truncated: resumed && data.truncated === true,
    });
    for (const entry of this.#outbox.values()) {
      if (entry.status === 'queued') this.#transmit(entry);
      // Sent just before the drop: if the missed history holds it, it was stored after all.
      else if (entry.status === 'unconfirmed' && history.some((m) => this.isMine(m) && m.text === entry.text)) {
        this.#settle(entry);
      }
    }
  }

  #onMessage(message) {
    if (message.room !== this.#room || !this.#accept(message)) return;
    this.#emit('message', message);
    for (const entry of this.#outbox.values()) {
      if (entry.id === message.id) this.#settle(entry);
    }
  }

  #onAck({ ref, id }) {
    const entry = this.#outbox.get(ref);
    if (!entry) return;
    entry.id = id;
    // The broadcast copy may arrive before or after the ack; whichever comes second settles it.
    if (this.#seen.has(id)) this.#settle(entry);
    else this.#update(entry, 'acked');
  }

  #onHistory(data) {
    if (data.room !== this.#room || !Array.isArray(data.messages)) return;
    const messages = data.messages.filter((m) => isMessage(m) && !this.#seen.has(m.id));
    for (const m of messages) this.#seen.add(m.id);
    this.#emit('history', { room: data.room, messages, requested: data.messages.length });
  }

  #onError(data) {
    const entry = data.ref !== undefined ? this.#outbox.get(data.ref) : undefined;
    const message = String(data.message ?? data.code ?? 'Something went wrong');
    if (entry) {
      entry.error = message;
      this.#update(entry, 'failed');
    } else {
      this.#emit('problem', { code: String(data.code ?? data.status ?? 'error'), message });
    }
  }

  /** `welcome` and `joined.you`: the id our messages carry (`fromId`; `id` from older servers). */
  #rememberId(you) {
    const id = you?.fromId ?? you?.id;
    if (typeof id === 'string' && id !== '') this.#myIds.add(id);
  }

  /** True when the message is new to this room; records it and advances the resume point. */
  #accept(message) {
    if (!isMessage(message) || this.#seen.has(message.id)) return false;
    this.#seen.add(message.id);
    if (isAfter(message.id, this.#lastId)) this.#lastId = message.id;
    return true;
  }

  #transmit(entry) {
    if (this.#write('message', { room: entry.room, text: entry.text, ref: entry.ref })) {
      this.#update(entry, 'sending');
    }
  }

  #update(entry, status) {
    entry.status = status;
    this.#emit('outbox', { ...entry });
  }

  #settle(entry) {
    this.#outbox.delete(entry.ref);
    this.#update(entry, 'done');
  }

  #write(event, data) {
    const socket = this.#socket;
    if (!socket || socket.readyState !== SOCKET_OPEN) return false;
    socket.send(JSON.stringify({ event, data }));
    return true;
  }

  #setState(state, retryAt) {
    this.#state = state;
    this.#emit('state', { state, retryAt });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
