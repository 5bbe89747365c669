import { Writable } from 'node:stream';
import { corkForTurn, readAlone, readingOne, readingThisTurn, releaseNow, releaseScheduled } from './cork-batch.js';

/** A stream that records every batch it is handed (one writev = one syscall on a socket). */
function recorder(): { stream: Writable; batches: string[][] } {
  const batches: string[][] = [];
  const stream = new Writable({
    writev(chunks, callback) {
      batches.push(chunks.map((c) => String(c.chunk)));
      callback();
    },
    write(chunk, _encoding, callback) {
      batches.push([String(chunk)]);
      callback();
    },
  });
  return { stream, batches };
}

function nextCheckPhase(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('corkForTurn (write batching per event-loop turn)', () => {
  it('lets the first write of a turn through and holds the rest for one batch', async () => {
    const { stream, batches } = recorder();
    for (const part of ['a', 'b', 'c', 'd']) {
      corkForTurn(stream);
      stream.write(part);
    }
    expect(batches).toEqual([['a']]);
    expect(stream.writableLength).toBe(3);
    await nextCheckPhase();
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
    expect(stream.writableCorked).toBe(0);
  });

  it('holds even the first write to a stream read this turn (replies), for one batch', async () => {
    const { stream, batches } = recorder();
    readingThisTurn(stream);
    for (const part of ['a', 'b']) {
      corkForTurn(stream);
      stream.write(part);
    }
    expect(batches).toEqual([]);
    await nextCheckPhase();
    expect(batches).toEqual([['a', 'b']]);
    corkForTurn(stream);
    stream.write('c');
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('lets a reply out at once when the read held one message (one message in flight)', async () => {
    const { stream, batches } = recorder();
    readingThisTurn(stream);
    corkForTurn(stream);
    stream.write('sync reply');
    expect(batches).toEqual([]);
    readAlone(stream);
    expect(batches).toEqual([['sync reply']]);

    const later = recorder();
    readingThisTurn(later.stream);
    readAlone(later.stream);
    corkForTurn(later.stream);
    later.stream.write('reply from a promise');
    expect(later.batches).toEqual([['reply from a promise']]);
    corkForTurn(later.stream);
    later.stream.write('more');
    await nextCheckPhase();
    expect(later.batches).toEqual([['reply from a promise'], ['more']]);
  });

  it('lets the reply to a read of one frame straight out, with no release to schedule', async () => {
    await nextCheckPhase(); // no batch of an earlier test still due
    const { stream, batches } = recorder();
    readingOne(stream);
    readAlone(stream); // the read held one message; its reply comes later, from a promise
    corkForTurn(stream);
    stream.write('reply');
    expect(batches).toEqual([['reply']]);
    expect(releaseScheduled()).toBe(false);
    // What follows in the same turn is batched as usual, one write unbatched at worst.
    for (const part of ['b', 'c', 'd']) {
      corkForTurn(stream);
      stream.write(part);
    }
    expect(batches).toEqual([['reply'], ['b']]);
    expect(releaseScheduled()).toBe(true);
    await nextCheckPhase();
    expect(batches).toEqual([['reply'], ['b'], ['c', 'd']]);
  });

  it('does not delay a lone write per stream (a fan-out)', () => {
    const streams = [recorder(), recorder(), recorder()];
    for (const { stream } of streams) {
      corkForTurn(stream);
      stream.write('x');
    }
    expect(streams.map((s) => s.batches)).toEqual([[['x']], [['x']], [['x']]]);
  });

  it('releases every stream corked in the turn with one timer', async () => {
    const first = recorder();
    const second = recorder();
    for (const part of ['1', '2', '3']) {
      corkForTurn(first.stream);
      first.stream.write(part);
      corkForTurn(second.stream);
      second.stream.write(part);
    }
    await nextCheckPhase();
    expect(first.batches).toEqual([['1'], ['2', '3']]);
    expect(second.batches).toEqual([['1'], ['2', '3']]);
  });

  it('leaves a stream corked by its caller to that caller', async () => {
    const { stream, batches } = recorder();
    stream.cork();
    corkForTurn(stream);
    stream.write('x');
    corkForTurn(stream);
    stream.write('y');
    await nextCheckPhase();
    expect(batches).toEqual([]);
    stream.uncork();
    expect(batches).toEqual([['x', 'y']]);
  });

  it('batches again in the next turn', async () => {
    const { stream, batches } = recorder();
    for (const part of ['a', 'b']) {
      corkForTurn(stream);
      stream.write(part);
    }
    await nextCheckPhase();
    for (const part of ['c', 'd', 'e']) {
      corkForTurn(stream);
      stream.write(part);
    }
    await nextCheckPhase();
    expect(batches).toEqual([['a'], ['b'], ['c'], ['d', 'e']]);
  });

  it('releaseNow flushes at once, and end() flushes what is held', async () => {
    const held = recorder();
    for (const part of ['first', 'now']) {
      corkForTurn(held.stream);
      held.stream.write(part);
    }
    releaseNow(held.stream);
    expect(held.batches).toEqual([['first'], ['now']]);

    const ending = recorder();
    for (const part of ['first', 'last']) {
      corkForTurn(ending.stream);
      ending.stream.write(part);
    }
    ending.stream.end();
    expect(ending.batches).toEqual([['first'], ['last']]);
    await nextCheckPhase();
    expect(ending.batches).toEqual([['first'], ['last']]);
  });
});
