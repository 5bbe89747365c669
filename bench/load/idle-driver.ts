import type { IdleJob } from '../messages.js';
import { upgradeRequest } from './client-frames.js';
import { Driver } from './driver.js';
import { discardIncoming, openMany, openWebSocket } from './open-websocket.js';

/** Opens its connections and leaves them idle; `messages` is the number open. */
export class IdleDriver extends Driver {
  constructor(readonly job: IdleJob) {
    super();
  }

  async prepare(): Promise<void> {
    const { job } = this;
    const request = upgradeRequest(job.endpoint.host, job.endpoint.port, job.endpoint.path);
    await openMany(
      job.connections,
      job.concurrency,
      () => openWebSocket(job.endpoint, job.localAddress, request, job.connectTimeoutMs),
      ({ socket }) => {
        this.own(socket);
        // Anything the server sends (a ping) is read and dropped, so it never backs up.
        discardIncoming(socket);
        this.messages++;
      },
    );
  }

  start(): void {}
}
