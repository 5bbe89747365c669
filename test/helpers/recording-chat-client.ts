import WebSocket from 'ws';

export interface ChatFrame<T = any> {
  event: string;
  data: T;
}

export interface Welcome {
  id: string;
  name: string;
  instance?: string;
}

export interface StoredMessage {
  id: string;
  room: string;
  from: string;
  text: string;
}

/**
 * A `/chat` client that keeps every frame it received, so a test can look back at the whole
 * conversation (order, duplicates) and wait for a condition on it; waits are woken by the
 * frames and the close themselves, each bounded by a timeout naming what it waited for.
 */
export class RecordingChatClient {
  readonly frames: ChatFrame[] = [];
  closedWith: { code: number; reason: string } | undefined;
  welcome!: Welcome;
  private readonly watchers = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.frames.push(JSON.parse(data.toString('utf8')) as ChatFrame);
      this.wake();
    });
    socket.on('close', (code: number, reason: Buffer) => {
      this.closedWith = { code, reason: reason.toString() };
      this.wake();
    });
    // A dropped connection shows as a close; the error itself is of no interest.
    socket.on('error', () => undefined);
  }

  /** Connects to `url` (`ws://host:port/chat`) and waits for `welcome`. */
  static async connect(url: string, ms = 15_000): Promise<RecordingChatClient> {
    const client = new RecordingChatClient(new WebSocket(url));
    client.welcome = (await client.waitFor((frame) => frame.event === 'welcome', `welcome from ${url}`, ms)).data;
    return client;
  }

  send(event: string, data: unknown): void {
    this.socket.send(JSON.stringify({ event, data }));
  }

  /** The first frame received (from the start) that matches. */
  waitFor(accept: (frame: ChatFrame) => boolean, what: string, ms = 15_000): Promise<ChatFrame> {
    return this.until(() => this.frames.find(accept), what, ms);
  }

  /** Sends `join` and waits for its `joined` reply. */
  async join(room: string, extra: { name?: string; since?: string } = {}): Promise<{ history: StoredMessage[] }> {
    const before = this.frames.length;
    this.send('join', { room, ...extra });
    const joined = await this.until(
      () => this.frames.slice(before).find((frame) => frame.event === 'joined' && frame.data.room === room),
      `joined ${room}`,
      15_000,
    );
    return joined.data;
  }

  /** Posts and waits for the ack: the id the message was stored under. */
  async post(room: string, text: string, ms = 15_000): Promise<string> {
    const ref = `${text}#ref`;
    this.send('message', { room, text, ref });
    const reply = await this.waitFor(
      (frame) => (frame.event === 'ack' || frame.event === 'error') && frame.data.ref === ref,
      `the ack of "${text}"`,
      ms,
    );
    if (reply.event !== 'ack') throw new Error(`"${text}" was refused: ${JSON.stringify(reply.data)}`);
    return reply.data.id as string;
  }

  /** The `message` events of `room`, in arrival order. */
  messages(room: string): StoredMessage[] {
    return this.frames
      .filter((frame) => frame.event === 'message' && frame.data.room === room)
      .map((frame) => frame.data as StoredMessage);
  }

  /** Waits until `room` has at least `count` message events. */
  async waitForMessages(room: string, count: number, ms = 15_000): Promise<StoredMessage[]> {
    return this.until(
      () => {
        const messages = this.messages(room);
        return messages.length >= count ? messages : undefined;
      },
      `${count} messages in ${room} (${this.welcome?.name})`,
      ms,
    );
  }

  /** Waits for the close, whoever starts it. */
  closed(ms = 30_000): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closedWith, `the close of ${this.welcome?.name}`, ms);
  }

  close(): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close();
    }
  }

  private wake(): void {
    for (const watcher of [...this.watchers]) watcher();
  }

  private until<T>(check: () => T | undefined, what: string, ms: number): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const watcher = () => {
        const value = check();
        if (value !== undefined) {
          finish();
          resolve(value);
        } else if (this.closedWith !== undefined) {
          finish();
          reject(new Error(`closed (${this.closedWith.code}) while waiting for ${what}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      const finish = () => {
        clearTimeout(timer);
        this.watchers.delete(watcher);
      };
      this.watchers.add(watcher);
      if (this.closedWith !== undefined) watcher();
    });
  }
}
