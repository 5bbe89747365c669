/** The part of a socket the batch needs. */
export interface Corkable {
  readonly writableCorked: number;
  cork(): void;
  uncork(): void;
}

/**
 * Write batching across the event loop's I/O phase: the first write to a socket in a loop turn
 * corks it, and one setImmediate uncorks every socket corked since. Whatever a turn writes to a
 * socket (echo replies to a pipelined batch, many broadcasts) then leaves in one writev instead
 * of one syscall per frame, which was most of the server's CPU. setImmediate rather than
 * nextTick or a microtask: those would flush after each 'data' event, while the check phase
 * comes once after every socket's events of the turn (the latency cost is that same turn).
 *
 * end() fully uncorks a stream in Node, so ending needs no special care; destroy() discards
 * what is held, so a caller that destroys on purpose flushes first (releaseNow).
 */
const held: Corkable[] = [];
let scheduled = false;
/** Taken at load: a test faking timers must not hold every socket's writes back. */
const schedule = setImmediate;

export function corkForTurn(socket: Corkable): void {
  // Corked already: by us this turn (the common case), or by a caller that uncorks itself.
  if (socket.writableCorked !== 0) return;
  socket.cork();
  held.push(socket);
  if (!scheduled) {
    scheduled = true;
    schedule(releaseAll);
  }
}

/** Hands what `socket` holds to the kernel now (before a destroy()). */
export function releaseNow(socket: Corkable): void {
  while (socket.writableCorked !== 0) socket.uncork();
}

function releaseAll(): void {
  scheduled = false;
  // A socket corked again while this runs is pushed here and released in the same pass.
  for (let i = 0; i < held.length; i++) {
    const socket = held[i]!;
    if (socket.writableCorked !== 0) socket.uncork();
  }
  held.length = 0;
}
