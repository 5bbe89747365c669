type Callback = (err?: Error) => void;

/**
 * One outgoing frame waiting its turn: either the whole frame (`frame`), or a payload to be
 * framed on the way out (`payload`, `opcode`, `rsv1`), which spares copying a large one.
 */
export class QueuedFrame {
  frame: Buffer | undefined = undefined;
  payload: Buffer | undefined = undefined;
  opcode = 0;
  rsv1 = false;
  ready = false;
  /** Dropped by abort(): a compression finishing later is ignored. */
  dropped = false;

  constructor(
    /**
     * Bytes counted against the send budget while it waits: its wire size once that is known;
     * while it is being compressed, only what it holds for this connection alone (see
     * SendQueue.recharge).
     */
    public size: number,
    readonly callback: Callback | undefined,
    readonly isClose: boolean,
  ) {}
}

/**
 * Keeps a connection's outgoing frames in send order while some are still being compressed:
 * a frame is written only once every frame before it is. Connections without
 * permessage-deflate never have one; with it, the queue is only used while something is in
 * flight, and frames go straight to the socket otherwise.
 */
export class SendQueue<T> {
  private entries: (QueuedFrame | undefined)[] = [];
  private head = 0;
  private endWhenDrained = false;
  /** Bytes waiting here (not yet handed to the socket). */
  bytes = 0;

  constructor(
    private readonly owner: T,
    private readonly write: (owner: T, entry: QueuedFrame) => void,
    private readonly end: (owner: T) => void,
  ) {}

  get idle(): boolean {
    return this.head === this.entries.length;
  }

  push(entry: QueuedFrame): void {
    this.entries.push(entry);
    this.bytes += entry.size;
  }

  /** Counts `entry` (still waiting) as `size` bytes from now on, e.g. once it is compressed. */
  recharge(entry: QueuedFrame, size: number): void {
    if (entry.dropped) return;
    this.bytes += size - entry.size;
    entry.size = size;
  }

  /** Marks `entry` ready and writes every ready frame at the head of the queue. */
  ready(entry: QueuedFrame): void {
    if (entry.dropped) return;
    entry.ready = true;
    this.flush();
  }

  /** Ends the socket once every queued frame is written (at once when the queue is idle). */
  endAfterDrain(): void {
    if (this.idle) this.end(this.owner);
    else this.endWhenDrained = true;
  }

  /**
   * Drops every waiting frame (their callbacks get `error`) and forgets a pending end.
   * Returns the close frame that was waiting, if any: it was already promised to the peer.
   */
  abort(error: Error): QueuedFrame | undefined {
    let close: QueuedFrame | undefined;
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      entry.dropped = true;
      if (entry.isClose) close = entry;
      else if (entry.callback !== undefined) process.nextTick(entry.callback, error);
    }
    this.entries = [];
    this.head = 0;
    this.bytes = 0;
    this.endWhenDrained = false;
    return close;
  }

  private flush(): void {
    const entries = this.entries;
    while (this.head < entries.length && entries[this.head]!.ready) {
      const entry = entries[this.head]!;
      entries[this.head++] = undefined;
      this.bytes -= entry.size;
      this.write(this.owner, entry);
      // write() may have failed the connection, which aborts (and empties) the queue.
      if (this.entries !== entries) return;
    }
    if (this.head === entries.length) {
      this.entries = [];
      this.head = 0;
      if (this.endWhenDrained) {
        this.endWhenDrained = false;
        this.end(this.owner);
      }
    } else if (this.head > 1024) {
      entries.splice(0, this.head);
      this.head = 0;
    }
  }
}
