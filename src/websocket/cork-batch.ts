/** The part of a socket the batch needs. */
export interface Corkable {
  readonly writableCorked: number;
  cork(): void;
  uncork(): void;
}

/**
 * Write batching across the event loop's I/O phase. The first write to a socket in a loop turn
 * goes straight out unless the socket was read this turn and the read held several messages: one
 * broadcast's copy to a receiver and the reply to a lone message (one message in flight) are not
 * delayed, so their latency stays that of unbatched writes. A second write in the same turn, or
 * any write to a socket whose read held several messages (replies to pipelined messages), corks
 * the socket, and one setImmediate uncorks every socket corked since: whatever else the turn
 * writes to it leaves in one writev instead of one syscall per frame, which was most of the
 * server's CPU under load. setImmediate rather than nextTick or a microtask: those would flush
 * after each 'data' event, while the check phase comes once after every socket's events of the
 * turn. A read that is one whole frame (one message in flight, readingOne) goes further: its
 * reply leaves the socket unmarked, so nothing is scheduled for it at all.
 *
 * end() fully uncorks a stream in Node, so ending needs no special care; destroy() discards
 * what is held, so a caller that destroys on purpose flushes first (releaseNow).
 */
const held: Corkable[] = [];
let scheduled = false;
/** Advanced by every flush (never negative); a socket remembers the turn of its last write or read. */
let turn = 0;
/** A socket's mark while its next write goes straight out, unmarked (readingOne). */
const STRAIGHT = -2;
const kTurn = Symbol('websocket.writeTurn');
type TrackedSocket = Corkable & { [kTurn]?: number };
/** Taken at load: a test faking timers must not hold every socket's writes back. */
const schedule = setImmediate;

export function corkForTurn(socket: Corkable): void {
  const tracked = socket as TrackedSocket;
  const mark = tracked[kTurn];
  if (mark === STRAIGHT) {
    tracked[kTurn] = turn - 1;
    return;
  }
  if (mark !== turn) {
    tracked[kTurn] = turn;
    scheduleRelease();
    return;
  }
  // Corked already: by us this turn (the common case), or by a caller that uncorks itself.
  if (socket.writableCorked !== 0) return;
  socket.cork();
  held.push(socket);
  scheduleRelease();
}

function scheduleRelease(): void {
  if (scheduled) return;
  scheduled = true;
  schedule(releaseAll);
}

/**
 * The socket is read this turn: what it is sent now is most likely replies to what it sent,
 * so even its first write is held for the batch (an echo's 16 replies leave in one writev).
 */
export function readingThisTurn(socket: Corkable): void {
  (socket as TrackedSocket)[kTurn] = turn;
}

/**
 * The read about to be parsed is one whole frame: one message in flight. Its reply, written
 * while the read is parsed or later from a promise, goes straight out and leaves the socket
 * unmarked, so no release is scheduled for it: the setImmediate of the turn's batch was about
 * a quarter of such a round trip's instructions, for a batch of one. A write after it follows
 * the usual rules; at worst one more goes out unbatched.
 */
export function readingOne(socket: Corkable): void {
  (socket as TrackedSocket)[kTurn] = STRAIGHT;
}

/** True while a release of held writes is scheduled (for tests). */
export function releaseScheduled(): boolean {
  return scheduled;
}

/**
 * The read marked by readingThisTurn held one message at most, so no batch of replies is coming:
 * a reply already written (a synchronous one) goes out now rather than at the check phase, and
 * the next write (one from a promise, a Nest handler's) goes straight out. Holding it until the
 * check phase cost one message in flight a share of its round trip and saved no syscall.
 */
export function readAlone(socket: Corkable): void {
  const tracked = socket as TrackedSocket;
  // A reply still to come from a promise keeps its straight way out.
  if (tracked[kTurn] !== STRAIGHT) tracked[kTurn] = turn - 1;
  if (socket.writableCorked !== 0) socket.uncork();
}

/** Hands what `socket` holds to the kernel now (before a destroy()). */
export function releaseNow(socket: Corkable): void {
  while (socket.writableCorked !== 0) socket.uncork();
}

function releaseAll(): void {
  scheduled = false;
  turn = (turn + 1) & 0x3fff_ffff;
  // A socket corked again while this runs is pushed here and released in the same pass.
  for (let i = 0; i < held.length; i++) {
    const socket = held[i];
    if (socket.writableCorked !== 0) socket.uncork();
  }
  held.length = 0;
}
