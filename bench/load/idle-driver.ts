import type { IdleJob } from '../messages.js';
import { Driver } from './driver.js';
import { discardIncoming } from './open-websocket.js';

/** Opens its connections and leaves them idle; `messages` is the number open. */
export class IdleDriver extends Driver {
  constructor(readonly job: IdleJob) {
    super();
  }

  async prepare(): Promise<void> {
    const { job } = this;
    await this.openConnections(job, job.concurrency, ({ socket }) => {
      // Anything the server sends (a ping) is read and dropped, so it never backs up.
      discardIncoming(socket);
      this.messages++;
    });
  }

  start(): void {}
}
