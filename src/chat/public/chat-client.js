import { backoffDelay } from './backoff.js';

const SOCKET_OPEN = 1;
/** A server that accepts the socket but never answers `join` is treated as down. */
const JOIN_TIMEOUT_MS = 10_000;

const NUMERIC_ID = /^\d+(?:-\d+)*$/;
/**
 * A rejoin after a dropped connection can find the name still held by that connection, until
 * the server notices it is gone (two heartbeat intervals, 60 s by default): so long it retries.
 */
const REJOIN_TAKEN_RETRY_MS = 70_000;

/** Errors after which the server may or may not have the message: resent with the same ref. */
const RESEND_ON = new Set(['unavailable', 'maybe_stored']);

/** A secret of this page for `?session=`: the server derives our sender id from it (README, "Sending exactly once"). */
function newSessionKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}

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
 * and tracks outgoing messages until the server acknowledges them. Every message has a ref
 * (its idempotency key) and the connection a session key, so our sender id survives
 * reconnections: a message in doubt (the connection dropped before its ack, or the server
 * answered `unavailable` or `maybe_stored`) is resent with its ref after resuming, and the
 * server stores it once whatever happened to the first send.
 *
 * Events (CustomEvent, payload in `detail`):
 *  state    {state: 'connecting'|'online'|'reconnecting'|'offline', retryAt?}
 *  joined   {room, you, members, count, history, resumed, truncated, earlier}
 *  message  one new message of the current room
 *  history  {room, messages, earlier} older messages asked for with loadOlder()
 *  presence {room, name, event, members, count?, joins?, leaves?}
 *  outbox   {ref, room, text, status: 'queued'|'sending'|'acked'|'failed'|'done', error?}
 *  problem  {code, message} errors that belong to no pending message
 *  name     {name, locked} the name the server gave us instead of the one we asked for
 *  nameTaken {name, message, joined} someone else holds the name in the room: the join (joined
 *           false) or the rename (joined true, back to the previous name) was refused
 *
 * `isMine(message)` tells this page's own messages by their `fromId`, not by name.
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
  #resendTimer = 0;
  #resendAttempt = 0;
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
  /** The name the server has for us (joined, or the last nick, which only a refusal answers). */
  #acceptedName = '';
  /** What the name was before the last nick: where a refusal of it takes us back. */
  #nameBeforeNick = '';
  /** Until when a rejoin under a name still held by our own dropped connection is retried. */
  #rejoinTakenUntil = 0;
  #rejoinTimer = 0;

  constructor(
    url,
    { WebSocketImpl = globalThis.WebSocket, isOnline = () => navigator.onLine, sessionKey = newSessionKey() } = {},
  ) {
    super();
    const withSession = new URL(url);
    withSession.searchParams.set('session', sessionKey);
    this.#url = withSession.href;
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

  /**
   * Whether this page sent the message: by its sender id only, never by name (a name changes
   * hands, and another tab of an anonymous user is someone else). A message without one is not.
   */
  isMine(message) {
    const fromId = message?.fromId;
    return typeof fromId === 'string' && fromId !== '' && this.#myIds.has(fromId);
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
    clearTimeout(this.#resendTimer);
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
    if (!entry || entry.status !== 'failed') return;
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
    if (this.#joined) {
      // Acknowledged by silence: only a refusal (nameTaken) answers a nick.
      if (this.#write('nick', { name })) {
        this.#nameBeforeNick = this.#acceptedName;
        this.#acceptedName = name;
      }
    } else if (this.#socket?.readyState === SOCKET_OPEN) this.#join();
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
    clearTimeout(this.#rejoinTimer);
    if (this.#joined) this.#rejoinTakenUntil = Date.now() + REJOIN_TAKEN_RETRY_MS;
    this.#socket = null;
    this.#joined = false;
    for (const entry of this.#outbox.values()) {
      // Sent but never acknowledged: maybe stored. Resent with its ref after resuming, which
      // the server answers with the first copy's id if it has it.
      if (entry.status === 'sending') this.#update(entry, 'queued');
    }
    if (!this.#stopped) this.#scheduleReconnect();
  }

  #scheduleResend() {
    clearTimeout(this.#resendTimer);
    this.#resendTimer = setTimeout(() => this.#resendQueued(), backoffDelay(this.#resendAttempt++));
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
    this.#rejoinTakenUntil = 0;
    this.#rememberId(data.you);
    const serverName = data.you?.name;
    this.#acceptedName = typeof serverName === 'string' && serverName ? serverName : this.#name;
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
      earlier: data.earlier === true,
    });
    for (const message of history) this.#settleByRef(message);
    this.#resendQueued();
  }

  /** Our own messages come back with their ref: the send it settles. */
  #settleByRef(message) {
    const entry = message.ref !== undefined ? this.#outbox.get(message.ref) : undefined;
    if (entry && entry.room === message.room && this.isMine(message)) this.#settle(entry);
  }

  #resendQueued() {
    if (!this.#joined) return;
    for (const entry of this.#outbox.values()) {
      if (entry.status === 'queued' && entry.room === this.#room) this.#transmit(entry);
    }
  }

  #onMessage(message) {
    if (message.room !== this.#room || !this.#accept(message)) return;
    this.#emit('message', message);
    this.#settleByRef(message);
    for (const entry of this.#outbox.values()) {
      if (entry.id === message.id) this.#settle(entry);
    }
  }

  #onAck({ ref, id }) {
    const entry = this.#outbox.get(ref);
    if (!entry) return;
    this.#resendAttempt = 0;
    entry.id = id;
    // The broadcast copy may arrive before or after the ack; whichever comes second settles it.
    if (this.#seen.has(id)) this.#settle(entry);
    else this.#update(entry, 'acked');
  }

  #onHistory(data) {
    if (data.room !== this.#room || !Array.isArray(data.messages)) return;
    const messages = data.messages.filter((m) => isMessage(m) && !this.#seen.has(m.id));
    for (const m of messages) this.#seen.add(m.id);
    this.#emit('history', { room: data.room, messages, earlier: data.earlier === true });
  }

  #onError(data) {
    if (data.code === 'name_taken') return this.#onNameTaken(data);
    const entry = data.ref !== undefined ? this.#outbox.get(data.ref) : undefined;
    const message = String(data.message ?? data.code ?? 'Something went wrong');
    if (entry && RESEND_ON.has(data.code)) {
      // Not stored, or maybe: the same ref again a little later stores it exactly once.
      entry.error = message;
      this.#update(entry, 'queued');
      this.#scheduleResend();
    } else if (entry) {
      entry.error = message;
      this.#update(entry, 'failed');
    } else {
      this.#emit('problem', { code: String(data.code ?? data.status ?? 'error'), message });
    }
  }

  #onNameTaken(data) {
    const message = String(data.message ?? 'That name is taken');
    if (this.#joined) {
      // A refused nick: we are still in the room under the name we had.
      const refused = this.#acceptedName;
      this.#name = this.#acceptedName = this.#nameBeforeNick;
      this.#emit('nameTaken', { name: refused, message, joined: true });
      return;
    }
    clearTimeout(this.#joinTimer);
    if (Date.now() < this.#rejoinTakenUntil && this.#name === this.#acceptedName) {
      // Most likely held by our own connection that dropped: the server lets it go soon.
      const socket = this.#socket;
      this.#rejoinTimer = setTimeout(
        () => {
          if (socket === this.#socket && !this.#joined) this.#join();
        },
        backoffDelay(this.#attempt++, { cap: 10_000 }),
      );
      return;
    }
    this.#emit('nameTaken', { name: this.#name, message, joined: false });
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
