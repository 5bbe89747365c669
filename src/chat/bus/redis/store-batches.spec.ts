import { StoreBatches } from './store-batches.js';

type Sent = Array<[room: string, items: string[]]>;

function batches(maxBatch = 64, fail?: Error) {
  const sent: Sent = [];
  const store = new StoreBatches<string, string>(
    (room, items) => {
      sent.push([room, items]);
      return fail === undefined ? Promise.resolve(items.map((item) => `${room}:${item}`)) : Promise.reject(fail);
    },
    (first) => `again ${first}`,
    maxBatch,
  );
  return { store, sent };
}

describe('StoreBatches', () => {
  it("sends a room's items of one turn as one batch, in the order given, and answers each its own result", async () => {
    const { store, sent } = batches();
    const results = Promise.all([
      store.add('a', undefined, 'a1'),
      store.add('b', 'k', 'b1'),
      store.add('a', 'k', 'a2'),
      store.add('a', undefined, 'a3'),
    ]);
    expect(sent).toEqual([]);
    expect(await results).toEqual(['a:a1', 'b:b1', 'a:a2', 'a:a3']);
    expect(sent).toEqual([
      ['a', ['a1', 'a2', 'a3']],
      ['b', ['b1']],
    ]);
    // A later turn is a batch of its own.
    expect(await store.add('a', undefined, 'a4')).toBe('a:a4');
    expect(sent).toHaveLength(3);
  });

  it('sends a full batch at once and starts the next', async () => {
    const { store, sent } = batches(2);
    const results = Promise.all(['1', '2', '3'].map((item) => store.add('r', undefined, item)));
    expect(sent).toEqual([['r', ['1', '2']]]);
    expect(await results).toEqual(['r:1', 'r:2', 'r:3']);
    expect(sent).toEqual([
      ['r', ['1', '2']],
      ['r', ['3']],
    ]);
  });

  it('sends a key repeated in a batch once, and answers the repeat with the first one as a repeat', async () => {
    const { store, sent } = batches();
    const results = await Promise.all([
      store.add('r', 'k', 'first'),
      store.add('r', 'k', 'second'),
      store.add('r', 'k', 'third'),
    ]);
    expect(sent).toEqual([['r', ['first']]]);
    expect(results).toEqual(['r:first', 'again r:first', 'again r:first']);
  });

  it('fails every item of a batch, repeats included, when the batch fails', async () => {
    const { store } = batches(64, new Error('Redis went away'));
    const results = await Promise.allSettled([
      store.add('r', 'k', 'a'),
      store.add('r', 'k', 'b'),
      store.add('r', undefined, 'c'),
    ]);
    expect(results.map((result) => (result as PromiseRejectedResult).reason?.message)).toEqual([
      'Redis went away',
      'Redis went away',
      'Redis went away',
    ]);
  });
});
