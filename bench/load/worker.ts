import type { CoordinatorMessage, WorkerJob, WorkerMessage } from '../messages.js';
import type { Driver } from './driver.js';
import { EchoDriver } from './echo-driver.js';
import { HandshakeDriver } from './handshake-driver.js';
import { IdleDriver } from './idle-driver.js';
import { ChatReceiverDriver } from './chat-receiver-driver.js';
import { ChatRoundTripDriver } from './chat-round-trip-driver.js';
import { ChatSenderDriver } from './chat-sender-driver.js';
import { ChatStormDriver } from './chat-storm-driver.js';
import { ReceiverDriver } from './receiver-driver.js';
import { SenderDriver } from './sender-driver.js';

/**
 * A load generator process, forked (pinned to the load CPUs) by the coordinator. It receives one
 * job over IPC, opens its connections, says 'ready', and then follows the coordinator's
 * commands: start, mark the measurement window, report, stop sending, exit.
 */
const TICK_MS = 250;

function post(message: WorkerMessage): void {
  process.send?.(message);
}

function driverFor(job: WorkerJob): Driver {
  switch (job.kind) {
    case 'echo':
      return new EchoDriver(job);
    case 'receivers':
      return new ReceiverDriver(job);
    case 'sender':
      return new SenderDriver(job);
    case 'idle':
      return new IdleDriver(job);
    case 'handshake':
      return new HandshakeDriver(job);
    case 'chat-receivers':
      return new ChatReceiverDriver(job);
    case 'chat-sender':
      return new ChatSenderDriver(job);
    case 'chat-round-trip':
      return new ChatRoundTripDriver(job);
    case 'chat-storm':
      return new ChatStormDriver(job);
  }
}

let driver: Driver | undefined;
let ticker: NodeJS.Timeout | undefined;

async function run(job: WorkerJob): Promise<void> {
  driver = driverFor(job);
  try {
    await driver.prepare();
  } catch (error) {
    post({
      type: 'failed',
      message: `${job.kind} worker${job.localAddress ? ` on ${job.localAddress}` : ''}: ${(error as Error).message}`,
    });
    return;
  }
  post({ type: 'ready', open: driver.report().open });
}

function exit(): void {
  if (ticker !== undefined) clearInterval(ticker);
  driver?.close();
  process.disconnect?.();
  process.exit(0);
}

process.on('message', (message: CoordinatorMessage) => {
  switch (message.type) {
    case 'job':
      void run(message.job);
      break;
    case 'start':
      driver?.start(message.send, message.readEveryMs ?? 0);
      ticker ??= setInterval(() => post({ type: 'tick', messages: driver?.messages ?? 0 }), TICK_MS);
      break;
    case 'mark':
      driver?.mark();
      break;
    case 'report':
      if (driver !== undefined) post(driver.report());
      break;
    case 'stop-sending':
      driver?.stopSending();
      break;
    case 'exit':
      exit();
      break;
  }
});

// The coordinator is gone (crashed or killed): do not linger holding thousands of sockets.
process.on('disconnect', exit);
