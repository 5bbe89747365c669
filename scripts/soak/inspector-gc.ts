import WebSocket from 'ws';

/**
 * Full collections of the server on demand, through its inspector (`node --inspect=127.0.0.1:0`),
 * so that the service needs no test hook: a heap figure read right after one is what the server
 * holds, not garbage that happens not to be collected yet.
 */
export class InspectorGc {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const reply = JSON.parse(data.toString()) as { id?: number; error?: { message: string } };
      const waiter = reply.id === undefined ? undefined : this.pending.get(reply.id);
      if (waiter === undefined) return;
      this.pending.delete(reply.id!);
      if (reply.error === undefined) waiter.resolve();
      else waiter.reject(new Error(`inspector: ${reply.error.message}`));
    });
    socket.on('close', () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error('inspector connection closed'));
      this.pending.clear();
    });
  }

  /** Connects to the inspector whose address is in the server's output so far. */
  static async attach(serverOutput: string): Promise<InspectorGc> {
    const url = /Debugger listening on (ws:\/\/\S+)/.exec(serverOutput)?.[1];
    if (url === undefined) throw new Error('the server printed no inspector address (was it started with --inspect?)');
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new InspectorGc(socket);
  }

  collect(): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method: 'HeapProfiler.collectGarbage' }));
    });
  }

  close(): void {
    this.socket.close();
  }
}
