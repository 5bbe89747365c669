import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { within } from './waiting.js';

export const WAIT_MS = 3000;

export interface Closed {
  code: number;
  reason: string;
}

/** The shared bounded wait, re-exported for the chat specs. */
export { within };

/**
 * A `ws` client that queues the text frames it receives, so a test awaits the next one
 * (bounded by a timeout) instead of sleeping.
 */
class FrameClient {
  private readonly inbox: string[] = [];
  private waiter: ((frame: string) => void) | undefined;
  readonly socket: WebSocket;
  readonly closed: Promise<Closed>;
  private readonly opened: Promise<IncomingMessage>;
  /** The client's own address as the server sees it, e.g. `127.0.0.1:50212`. */
  localName = '';

  protected constructor(url: string) {
    // Listeners go on before the handshake ends: a server may write in the same packet as its 101.
    this.socket = new WebSocket(url);
    let upgrade: IncomingMessage | undefined;
    this.socket.once('upgrade', (response) => (upgrade = response));
    this.socket.on('message', (data: Buffer) => {
      const frame = data.toString('utf8');
      const waiter = this.waiter;
      this.waiter = undefined;
      if (waiter) waiter(frame);
      else this.inbox.push(frame);
    });
    this.closed = new Promise((resolve) =>
      this.socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
    );
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve(upgrade!));
      this.socket.once('error', reject);
    });
  }

  protected async open(): Promise<this> {
    const upgrade = await within(this.opened, `a connection to ${this.socket.url}`);
    this.localName = `${upgrade.socket.localAddress}:${upgrade.socket.localPort}`;
    return this;
  }

  /** The next text frame, in arrival order. */
  nextFrame(what = 'the next frame', ms = WAIT_MS): Promise<string> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.waiter) throw new Error('only one wait at a time');
    return within(new Promise<string>((resolve) => (this.waiter = resolve)), what, ms).finally(() => {
      this.waiter = undefined;
    });
  }

  /** Skips frames until one that matches. */
  async nextMatching(accept: (frame: string) => boolean, what: string): Promise<string> {
    for (;;) {
      const frame = await this.nextFrame(what);
      if (accept(frame)) return frame;
    }
  }

  /** Frames received and not consumed yet. */
  get unread(): readonly string[] {
    return this.inbox;
  }

  sendText(text: string): void {
    this.socket.send(text);
  }

  close(): Promise<Closed> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING)
      this.socket.close();
    return within(this.closed, 'the close handshake');
  }
}

export interface ChatFrame<T = any> {
  event: string;
  data: T;
}

/** A client of the JSON protocol on `/chat`. */
export class JsonChatClient extends FrameClient {
  static connect(baseUrl: string, path = '/chat'): Promise<JsonChatClient> {
    return new JsonChatClient(`${baseUrl}${path}`).open();
  }

  send(event: string, data?: unknown): void {
    this.socket.send(JSON.stringify({ event, data }));
  }

  /** The next frame, which must be `event`; fails showing what came instead. */
  async next<T = any>(event: string): Promise<T> {
    const frame = JSON.parse(await this.nextFrame(`a "${event}" event`)) as ChatFrame<T>;
    if (frame.event !== event) throw new Error(`expected a "${event}" event, got ${JSON.stringify(frame)}`);
    return frame.data;
  }

  /** Skips frames until one of `event` that matches `accept`. */
  async waitFor<T = any>(event: string, accept: (data: T) => boolean = () => true): Promise<T> {
    for (;;) {
      const frame = JSON.parse(await this.nextFrame(`a matching "${event}" event`)) as ChatFrame<T>;
      if (frame.event === event && accept(frame.data)) return frame.data;
    }
  }

  /** welcome data; the first frame of every connection. */
  welcome(): Promise<{ id: string; name: string }> {
    return this.next('welcome');
  }

  /** Sends `join` and returns the `joined` reply (skipping room events of earlier joins). */
  async join(room: string, extra: { name?: string; since?: string } = {}): Promise<any> {
    this.send('join', { room, ...extra });
    return this.waitFor('joined', (joined) => joined.room === room);
  }

  /**
   * A request/reply round trip. One connection keeps order, so everything the server wrote to
   * this client before the reply has arrived: returns those frames (consumed).
   */
  async sync(): Promise<ChatFrame[]> {
    // History of a room the client is not in: always answered, with `not_in_room`.
    this.send('history', { room: 'sync-probe', limit: 1 });
    const before: ChatFrame[] = [];
    for (;;) {
      const frame = JSON.parse(await this.nextFrame('the reply to a sync request')) as ChatFrame;
      if (isSyncReply(frame)) return before;
      before.push(frame);
    }
  }
}

function isSyncReply(frame: ChatFrame): boolean {
  const data = frame.data as { code?: unknown; message?: unknown } | undefined;
  return frame.event === 'error' && data?.code === 'not_in_room' && String(data.message).includes('"sync-probe"');
}

/** A client of the plain-text protocol on `/`. */
export class LineChatClient extends FrameClient {
  static connect(baseUrl: string, path = '/'): Promise<LineChatClient> {
    return new LineChatClient(`${baseUrl}${path}`).open();
  }

  nextLine(what = 'the next line'): Promise<string> {
    return this.nextFrame(what);
  }

  /** Skips lines until one that matches. */
  waitForLine(accept: (line: string) => boolean, what: string): Promise<string> {
    return this.nextMatching(accept, what);
  }
}

/** A client of the Tornado chat room protocol on `/tornado`: uid first, then HTML fragments. */
export class TornadoChatClient extends FrameClient {
  static connect(baseUrl: string, path = '/tornado'): Promise<TornadoChatClient> {
    return new TornadoChatClient(`${baseUrl}${path}`).open();
  }

  /** What the tutorial's page sends: `{"uid", "message"}`. */
  say(uid: string, message: string): void {
    this.socket.send(JSON.stringify({ uid, message }));
  }
}
