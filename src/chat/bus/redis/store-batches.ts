/** One message to store, with what its caller waits for. */
interface Waiting<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: Error) => void;
}

interface Batch<Item, Result> {
  room: string;
  items: Array<Waiting<Item, Result>>;
  /** Idempotency key -> the index of the first item with it. */
  byKey: Map<string, number>;
}

/** Messages of one room in one call, at most (a call blocks Redis while it runs). */
export const MAX_BATCH = 64;

/**
 * Groups the messages stored in the same turn of the event loop by room, so that each room's
 * messages go to Redis in one script call, in the order they were given: what one message
 * costs Redis shrinks as the load grows (README "Publish cost in Redis"), and a lone message
 * waits no more than the end of the current turn (setImmediate). An item repeating the
 * idempotency key of an earlier one of the batch is not sent: it gets the earlier one's result
 * through `repeat`, as the script would have answered it.
 */
export class StoreBatches<Item, Result> {
  private readonly filling = new Map<string, Batch<Item, Result>>();
  private scheduled = false;

  constructor(
    private readonly send: (room: string, items: Item[]) => Promise<Result[]>,
    private readonly repeat: (first: Result) => Result,
    private readonly maxBatch = MAX_BATCH,
  ) {}

  add(room: string, key: string | undefined, item: Item): Promise<Result> {
    let batch = this.filling.get(room);
    if (batch === undefined) {
      batch = { room, items: [], byKey: new Map() };
      this.filling.set(room, batch);
    }
    const first = key === undefined ? undefined : batch.byKey.get(key);
    const result = new Promise<Result>((resolve, reject) => {
      if (first === undefined) {
        if (key !== undefined) batch.byKey.set(key, batch.items.length);
        batch.items.push({ item, resolve, reject });
      } else {
        const earlier = batch.items[first];
        const { resolve: resolveFirst, reject: rejectFirst } = earlier;
        earlier.resolve = (value) => {
          resolveFirst(value);
          resolve(this.repeat(value));
        };
        earlier.reject = (error) => {
          rejectFirst(error);
          reject(error);
        };
      }
    });
    if (batch.items.length >= this.maxBatch) {
      this.filling.delete(room);
      this.dispatch(batch);
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return result;
  }

  /** Sends every batch being filled. */
  flush(): void {
    this.scheduled = false;
    const batches = [...this.filling.values()];
    this.filling.clear();
    for (const batch of batches) this.dispatch(batch);
  }

  private dispatch({ room, items }: Batch<Item, Result>): void {
    const fail = (error: unknown): void => {
      for (const waiting of items) waiting.reject(error instanceof Error ? error : new Error(String(error)));
    };
    let sent: Promise<Result[]>;
    try {
      sent = this.send(
        room,
        items.map(({ item }) => item),
      );
    } catch (error) {
      fail(error);
      return;
    }
    sent.then((results) => items.forEach((waiting, i) => waiting.resolve(results[i])), fail);
  }
}
