import { QueuedFrame, SendQueue } from './send-queue.js';

interface Log {
  written: string[];
  ended: number;
}

function queue(): { log: Log; q: SendQueue<Log> } {
  const log: Log = { written: [], ended: 0 };
  const q = new SendQueue<Log>(
    log,
    (owner, entry) => owner.written.push(entry.frame!.toString()),
    (owner) => owner.ended++,
  );
  return { log, q };
}

function entry(q: SendQueue<Log>, size: number, callback?: (err?: Error) => void, isClose = false): QueuedFrame {
  const e = new QueuedFrame(size, callback, isClose);
  q.push(e);
  return e;
}

function ready(q: SendQueue<Log>, e: QueuedFrame, text: string): void {
  e.frame = Buffer.from(text);
  q.ready(e);
}

describe('SendQueue', () => {
  it('writes frames in the order they were queued, whatever order they become ready in', () => {
    const { log, q } = queue();
    const a = entry(q, 10);
    const b = entry(q, 20);
    const c = entry(q, 30);
    expect(q.bytes).toBe(60);
    ready(q, c, 'c');
    ready(q, b, 'b');
    expect(log.written).toEqual([]);
    ready(q, a, 'a');
    expect(log.written).toEqual(['a', 'b', 'c']);
    expect(q.idle).toBe(true);
    expect(q.bytes).toBe(0);
  });

  it('ends the socket only after the last queued frame', () => {
    const { log, q } = queue();
    const a = entry(q, 1);
    q.endAfterDrain();
    expect(log.ended).toBe(0);
    ready(q, a, 'a');
    expect(log).toEqual({ written: ['a'], ended: 1 });
    q.endAfterDrain();
    expect(log.ended).toBe(2);
  });

  it('drops waiting frames on abort, calling their callbacks with the error, and hands back a queued close', async () => {
    const { log, q } = queue();
    const errors: string[] = [];
    const a = entry(q, 1, (err) => errors.push(`a: ${err?.message}`));
    entry(q, 1, (err) => errors.push(`b: ${err?.message}`));
    const close = entry(q, 0, undefined, true);
    q.endAfterDrain();
    expect(q.abort(new Error('gone'))).toBe(close);
    expect(q.idle).toBe(true);
    ready(q, a, 'late');
    expect(log).toEqual({ written: [], ended: 0 });
    await new Promise((resolve) => process.nextTick(resolve));
    expect(errors).toEqual(['a: gone', 'b: gone']);
  });

  it('recharges a waiting frame (its compressed size once known), never one already dropped', () => {
    const { log, q } = queue();
    const a = entry(q, 1000);
    const b = entry(q, 0);
    q.recharge(a, 300);
    expect(q.bytes).toBe(300);
    q.recharge(b, 50);
    expect(q.bytes).toBe(350);
    ready(q, a, 'a');
    expect(q.bytes).toBe(50);
    q.abort(new Error('gone'));
    q.recharge(b, 70);
    expect(q.bytes).toBe(0);
    expect(log.written).toEqual(['a']);
  });

  it('stops flushing when a write aborts the queue', () => {
    const log: string[] = [];
    const q: SendQueue<null> = new SendQueue<null>(
      null,
      (_owner, e) => {
        log.push(e.frame!.toString());
        q.abort(new Error('failed while writing'));
      },
      () => undefined,
    );
    const a = new QueuedFrame(1, undefined, false);
    const b = new QueuedFrame(1, undefined, false);
    q.push(a);
    q.push(b);
    b.frame = Buffer.from('b');
    q.ready(b);
    a.frame = Buffer.from('a');
    q.ready(a);
    expect(log).toEqual(['a']);
    expect(q.idle).toBe(true);
  });
});
