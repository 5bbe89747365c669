import { Writable } from 'node:stream';
import { corkForTurn, releaseNow } from './cork-batch.js';

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
  it('holds writes of a turn and hands them over in one batch', async () => {
    const { stream, batches } = recorder();
    for (const part of ['a', 'b', 'c']) {
      corkForTurn(stream);
      stream.write(part);
    }
    expect(batches).toEqual([]);
    expect(stream.writableLength).toBe(3);
    await nextCheckPhase();
    expect(batches).toEqual([['a', 'b', 'c']]);
    expect(stream.writableCorked).toBe(0);
  });

  it('releases every stream corked in the turn with one timer', async () => {
    const first = recorder();
    const second = recorder();
    corkForTurn(first.stream);
    first.stream.write('1');
    corkForTurn(second.stream);
    second.stream.write('2');
    corkForTurn(first.stream);
    first.stream.write('3');
    await nextCheckPhase();
    expect(first.batches).toEqual([['1', '3']]);
    expect(second.batches).toEqual([['2']]);
  });

  it('leaves a stream corked by its caller to that caller', async () => {
    const { stream, batches } = recorder();
    stream.cork();
    corkForTurn(stream);
    stream.write('x');
    await nextCheckPhase();
    expect(batches).toEqual([]);
    stream.uncork();
    expect(batches).toEqual([['x']]);
  });

  it('batches again in the next turn', async () => {
    const { stream, batches } = recorder();
    corkForTurn(stream);
    stream.write('a');
    await nextCheckPhase();
    corkForTurn(stream);
    stream.write('b');
    corkForTurn(stream);
    stream.write('c');
    await nextCheckPhase();
    expect(batches).toEqual([['a'], ['b', 'c']]);
  });

  it('releaseNow flushes at once, and end() flushes what is held', async () => {
    const held = recorder();
    corkForTurn(held.stream);
    held.stream.write('now');
    releaseNow(held.stream);
    expect(held.batches).toEqual([['now']]);

    const ending = recorder();
    corkForTurn(ending.stream);
    ending.stream.write('last');
    ending.stream.end();
    expect(ending.batches).toEqual([['last']]);
    await nextCheckPhase();
    expect(ending.batches).toEqual([['last']]);
  });
});
