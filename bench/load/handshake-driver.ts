import type { Socket } from 'node:net';
import type { HandshakeJob } from '../messages.js';
import { closeFrame, upgradeRequest, type UpgradeRequest } from './client-frames.js';
import { Driver } from './driver.js';
import { discardIncoming, openWebSocket } from './open-websocket.js';

/** A lane gives up after this many failures in a row (the server is gone). */
const MAX_FAILURES_IN_A_ROW = 100;

/**
 * `concurrency` lanes, each looping: connect, upgrade (counted when the 101 arrives), send a
 * close frame, wait for the server to close the TCP connection. The server closes first, so its
 * side keeps the TIME_WAIT and the client's ports are free again at once.
 */
export class HandshakeDriver extends Driver {
  private running = false;
  private readonly closeFrameBytes = closeFrame();
  private readonly request: UpgradeRequest;

  constructor(readonly job: HandshakeJob) {
    super();
    this.request = upgradeRequest(job.endpoint.host, job.endpoint.port, job.endpoint.path);
  }

  /** One handshake up front, so a broken target fails the run before it starts. */
  async prepare(): Promise<void> {
    await this.cycle();
    this.messages = 0;
  }

  start(): void {
    this.running = true;
    for (let i = 0; i < this.job.concurrency; i++) void this.lane();
  }

  override stopSending(): void {
    this.running = false;
  }

  private async lane(): Promise<void> {
    let failures = 0;
    while (this.running && failures < MAX_FAILURES_IN_A_ROW) {
      try {
        await this.cycle();
        failures = 0;
      } catch (error) {
        failures++;
        this.error((error as Error).message);
      }
    }
  }

  private async cycle(): Promise<void> {
    const { job } = this;
    const { socket } = await openWebSocket(job.endpoint, job.localAddress, this.request, job.connectTimeoutMs);
    this.messages++;
    this.sockets.add(socket);
    try {
      await closeHandshake(socket, this.closeFrameBytes, job.connectTimeoutMs);
    } finally {
      this.sockets.delete(socket);
    }
  }
}

/** Sends our close frame and resolves once the server has closed the connection. */
function closeHandshake(socket: Socket, frame: Buffer, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close within ${timeoutMs} ms of the close frame`));
    }, timeoutMs);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    // The server's close frame is read and dropped; its FIN ends the socket.
    discardIncoming(socket);
    socket.write(frame);
  });
}
