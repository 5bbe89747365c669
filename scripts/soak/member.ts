import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { compareIds, type Ledger } from './ledger.js';

export interface SoakTotals {
  sent: number;
  delivered: number;
  duplicates: number;
  truncatedResumes: number;
  abruptDisconnects: number;
  reconnects: number;
  /** Connections the server closed, by close code (not counting our own resets). */
  serverCloses: Map<number, number>;
  errors: Map<string, number>;
  connectFailures: number;
  /** --resend: sends repeated with their ref after an error or a drop. */
  resent: number;
  /** --resend: refs stored under two ids (acks or own messages that disagree): must be 0. */
  refDuplicates: number;
}

export function newTotals(): SoakTotals {
  return {
    sent: 0,
    delivered: 0,
    duplicates: 0,
    truncatedResumes: 0,
    abruptDisconnects: 0,
    reconnects: 0,
    serverCloses: new Map(),
    errors: new Map(),
    connectFailures: 0,
    resent: 0,
    refDuplicates: 0,
  };
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** A text frame header announcing 100 masked bytes, followed by only 10 of them. */
const HALF_FRAME = Buffer.concat([Buffer.from([0x81, 0x80 | 100, 1, 2, 3, 4]), Buffer.alloc(10, 0x61)]);

interface Frame {
  event: string;
  data: any;
}

interface RoomMessage {
  id: string;
  ref?: string;
}

/**
 * One chat member for the whole soak, across its connections: it joins its room, resumes
 * with `since` after each disconnect, and checks that room message ids only ever grow.
 *
 * With `resend`, it is a client that never leaves a send in doubt: it connects with a session
 * key (one sender id across connections), keeps every send until acked, and resends it with
 * its ref after any error and after every reconnection (even when the resume's history shows
 * it stored), checking that a ref is only ever stored under one id.
 */
export class Member {
  private socket: WebSocket | undefined;
  /** Newest message id of the room this member has, live or from a resume's history. */
  private lastId: string | undefined;
  /** Set by the first join: the member owes every message newer than this. */
  private started = false;
  private cursor: string | undefined;
  joined = false;
  received = 0;
  private refs = 0;
  private resumes = 0;
  private stopped = false;
  /** --resend: sends not acked yet, ref -> text. */
  readonly pending = new Map<string, string>();
  /** --resend: the id each of our refs was stored under, as acks and our own messages say. */
  private readonly storedAs = new Map<string, string>();
  private readonly ackedRefs = new Set<string>();

  constructor(
    readonly name: string,
    readonly room: string,
    private readonly url: string,
    private readonly ledger: Ledger,
    private readonly totals: SoakTotals,
    private readonly resend = false,
  ) {
    if (resend) this.url = `${url}?session=${randomBytes(18).toString('base64url')}`;
  }

  get connected(): boolean {
    return this.socket !== undefined && this.socket.readyState === WebSocket.OPEN;
  }

  /** Messages of the room this member must have received by the end. */
  owed(): number {
    return this.started ? this.ledger.countAfter(this.room, this.cursor) : 0;
  }

  connect(): void {
    if (this.stopped) return;
    const socket = new WebSocket(this.url, { perMessageDeflate: false });
    this.socket = socket;
    this.joined = false;
    socket.on('message', (data: Buffer) => {
      // Frames a connection we already dropped still had buffered are not ours any more.
      if (this.socket === socket) this.onFrame(JSON.parse(data.toString()) as Frame);
    });
    socket.on('error', () => undefined);
    socket.on('unexpected-response', (_req, res) => {
      res.resume();
      this.totals.connectFailures++;
    });
    socket.once('close', (code: number) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.joined = false;
      if (this.stopped) return;
      // The server (or the network) ended it: come back like a browser would.
      bump(this.totals.serverCloses, code);
      this.reconnectSoon();
    });
  }

  send(): void {
    if (!this.joined || !this.connected) return;
    this.totals.sent++;
    const ref = `${this.name}-${this.refs}`;
    const text = `${this.name} #${this.refs++}`;
    if (this.resend) this.pending.set(ref, text);
    this.transmit(ref, text);
  }

  private transmit(ref: string, text: string): void {
    this.socket!.send(JSON.stringify({ event: 'message', data: { room: this.room, text, ref } }));
  }

  /** Drops the connection mid-frame with a TCP reset, then reconnects and resumes. */
  killAbruptly(): void {
    const socket = this.socket;
    if (socket === undefined || !this.connected) return;
    // A send on the wire as the connection dies: the one the resend mode is about.
    if (this.resend) this.send();
    this.socket = undefined;
    this.joined = false;
    this.totals.abruptDisconnects++;
    const raw = (socket as unknown as { _socket: Socket })._socket;
    raw.write(HALF_FRAME);
    raw.resetAndDestroy();
    this.reconnectSoon();
  }

  /** Closes for good (end of the soak). */
  stop(): void {
    this.stopped = true;
    this.socket?.close(1000);
  }

  private reconnectSoon(): void {
    this.totals.reconnects++;
    this.resumes++;
    setTimeout(() => this.connect(), 50 + Math.floor(Math.random() * 450));
  }

  private onFrame(frame: Frame): void {
    switch (frame.event) {
      case 'welcome':
        this.socket?.send(
          JSON.stringify({
            event: 'join',
            data: { room: this.room, name: this.name, ...(this.lastId ? { since: this.lastId } : {}) },
          }),
        );
        break;
      case 'joined':
        this.onJoined(frame.data);
        break;
      case 'message':
        if (frame.data.room === this.room) this.observe(frame.data as RoomMessage, 'live');
        break;
      case 'ack':
        if (this.resend) {
          this.pending.delete(frame.data.ref);
          this.storedUnder(frame.data.ref, frame.data.id);
          // A resend of a stored message is acked again, with the same id: counted once.
          if (this.ackedRefs.has(frame.data.ref)) break;
          this.ackedRefs.add(frame.data.ref);
        }
        this.ledger.ack(this.room, frame.data.id);
        break;
      case 'error':
        bump(this.totals.errors, String(frame.data.code));
        if (this.resend && this.pending.has(frame.data.ref)) {
          setTimeout(() => this.resendPending(frame.data.ref as string), 100 + Math.floor(Math.random() * 400));
        }
        break;
      default:
        break;
    }
  }

  /** Records that `ref` is stored as `id`; a ref stored under two ids is a duplicate. */
  private storedUnder(ref: string, id: string): void {
    const known = this.storedAs.get(ref);
    if (known === undefined) this.storedAs.set(ref, id);
    else if (known !== id) {
      this.totals.refDuplicates++;
      if (this.totals.refDuplicates <= 5) console.error(`${this.name}: ref ${ref} stored as ${known} and as ${id}`);
    }
  }

  /** Resends every pending send, or only `ref`'s, if this member is joined. */
  private resendPending(only?: string): void {
    if (!this.joined || !this.connected) return;
    for (const [ref, text] of this.pending) {
      if (only !== undefined && ref !== only) continue;
      this.totals.resent++;
      this.transmit(ref, text);
    }
  }

  private onJoined(joined: { room: string; history: RoomMessage[]; truncated: boolean }): void {
    if (joined.room !== this.room) return;
    if (!this.started) {
      // The first join: what the history holds is the past; everything after it is owed.
      this.started = true;
      this.cursor = joined.history.at(-1)?.id;
      this.lastId = this.cursor;
      for (const message of joined.history) this.ledger.known(this.room, message.id);
    } else {
      if (joined.truncated) this.totals.truncatedResumes++;
      for (const message of joined.history) this.observe(message, 'resume history');
    }
    this.joined = true;
    // Every send not acknowledged is resent; the server stores each ref once.
    this.resendPending();
  }

  private observe({ id, ref }: RoomMessage, how: string): void {
    this.ledger.known(this.room, id);
    // Our own messages carry their ref. One stored while we were away is resent all the same
    // (a page need not): its ack must carry this id.
    if (this.resend && ref !== undefined) this.storedUnder(ref, id);
    if (this.lastId !== undefined && compareIds(id, this.lastId) <= 0) {
      this.totals.duplicates++;
      if (this.totals.duplicates <= 5) {
        console.error(`${this.name}: ${how} message ${id} is not newer than ${this.lastId} (${this.resumes} resumes)`);
      }
      return;
    }
    this.lastId = id;
    this.received++;
    this.totals.delivered++;
  }
}
