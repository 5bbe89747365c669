import type { HistogramSnapshot } from './histogram.js';

/** Messages between the coordinator (bench/run) and its child processes, over Node IPC. */

export interface Endpoint {
  host: string;
  port: number;
  path: string;
}

export interface JobBase {
  endpoint: Endpoint;
  /**
   * Source address to bind (127.0.0.x), so many connections spread over several addresses;
   * undefined lets connect() pick (cheaper per connection: the handshake loop uses that).
   */
  localAddress: string | undefined;
  /** Bound on opening the connections and completing their handshakes. */
  connectTimeoutMs: number;
}

/** `connections` sockets, each keeping `inFlight` messages of `size` bytes outstanding. */
export interface EchoJob extends JobBase {
  kind: 'echo';
  connections: number;
  inFlight: number;
  size: number;
  /** JSON `{event:'echo', data}` text messages, or binary bytes. */
  json: boolean;
  /** Offer permessage-deflate, fail without it, and send every message compressed. */
  deflate: boolean;
}

/** Connections that only receive, reading the sender's timestamp from every delivery. */
export interface ReceiverJob extends JobBase {
  kind: 'receivers';
  connections: number;
}

/** One connection that publishes broadcasts and counts its own copies as acknowledgements. */
export interface SenderJob extends JobBase {
  kind: 'sender';
  size: number;
}

/** Connections opened and then left alone. */
export interface IdleJob extends JobBase {
  kind: 'idle';
  connections: number;
  /** Handshakes in progress at once while opening. */
  concurrency: number;
}

/** `concurrency` loops of connect, upgrade, close handshake. */
export interface HandshakeJob extends JobBase {
  kind: 'handshake';
  concurrency: number;
}

/** Connections to the product's `/chat` that join `room` and count the `message` deliveries. */
export interface ChatReceiverJob extends JobBase {
  kind: 'chat-receivers';
  connections: number;
  room: string;
  /** Spreads the receivers: connection i joins rooms[i % rooms.length] instead of `room`. */
  rooms?: string[];
}

/** One member of `room` on the product's `/chat` posting stamped `message`s at a fixed rate. */
export interface ChatSenderJob extends JobBase {
  kind: 'chat-sender';
  room: string;
}

/**
 * A two-member room on the product's `/chat`: one member sends a `message` with a `ref` once the
 * previous one was acknowledged and delivered (one message in flight), and records the time to
 * its `ack` or to the other member's copy.
 */
export interface ChatRoundTripJob extends JobBase {
  kind: 'chat-round-trip';
  room: string;
  measure: 'ack' | 'delivery';
}

/**
 * Connections to the product's `/chat`, opened first; on 'start' every one joins at once (spread
 * over `spreadMs`): all into `room`, or each into a room of its own (`<roomPrefix><n>`).
 * Counts `joined` replies (messages) and `presence` frames.
 */
export interface ChatStormJob extends JobBase {
  kind: 'chat-storm';
  connections: number;
  room: string | undefined;
  roomPrefix: string;
  spreadMs: number;
}

export type WorkerJob =
  | EchoJob
  | ReceiverJob
  | SenderJob
  | IdleJob
  | HandshakeJob
  | ChatReceiverJob
  | ChatSenderJob
  | ChatRoundTripJob
  | ChatStormJob;

/** How the broadcast sender paces itself. */
export type SendMode =
  /** Keep `window` broadcasts unacknowledged: the server is never idle, never flooded. */
  | { mode: 'max'; window: number }
  /** A fixed number of broadcasts per second. */
  | { mode: 'rate'; perSecond: number };

export type CoordinatorMessage =
  | { type: 'job'; job: WorkerJob }
  /**
   * Starts (or changes) the traffic. `readEveryMs` > 0 makes receivers read in batches (see
   * ReceiverDriver); 0 or absent, they read as data arrives.
   */
  | { type: 'start'; send?: SendMode; readEveryMs?: number }
  | { type: 'mark' }
  | { type: 'report' }
  /** The sender stops publishing (receivers keep reading: drain). */
  | { type: 'stop-sending' }
  | { type: 'exit' };

export interface Counters {
  /** Messages received: echo replies, broadcast deliveries, completed handshakes, open connections. */
  messages: number;
  /** Payload bytes received. */
  bytes: number;
  /** Messages sent (the broadcast sender). */
  sent: number;
  /** Failed handshakes, unexpected closes, wrong echoes. */
  errors: number;
  /** Deliveries received more than once (chat receivers). */
  duplicates: number;
  /** `presence` frames received (chat storm). */
  presence: number;
}

export interface WorkerReport {
  type: 'report';
  /** Since the last 'mark'. */
  window: Counters;
  /** Since the job started. */
  total: Counters;
  /** Latencies (µs) since the last 'mark'. */
  histogram: HistogramSnapshot;
  /** Connections currently open. */
  open: number;
  lastError: string | undefined;
}

export type WorkerMessage =
  | { type: 'ready'; open: number }
  | { type: 'failed'; message: string }
  | WorkerReport
  /** Sent every 250 ms while running: total messages, for the progress line. */
  | { type: 'tick'; messages: number };

export type TargetCommand = { type: 'gc' } | { type: 'exit' };

export type TargetMessage = { type: 'ready'; port: number } | { type: 'gc-done' } | { type: 'failed'; message: string };
