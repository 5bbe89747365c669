import { LineBatch } from './line-batch.js';

function recorder(): { sink: { write(chunk: string): void }; writes: string[] } {
  const writes: string[] = [];
  return { sink: { write: (chunk) => writes.push(chunk) }, writes };
}

/** Resolves once `writes` has `count` entries; fails the test after `ms`. */
async function writesReach(writes: string[], count: number, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (writes.length < count) {
    if (Date.now() > deadline) throw new Error(`${writes.length} of ${count} writes within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('LineBatch', () => {
  it('hands the lines of one burst to the sink in one write, in order, after the burst', async () => {
    const { sink, writes } = recorder();
    const batch = new LineBatch(sink, 10);
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}\n`);
    for (const line of lines) batch.write(line);
    expect(writes).toEqual([]);
    await writesReach(writes, 1);
    expect(writes).toEqual([lines.join('')]);
  });

  it('writes at once when the waiting lines reach the size limit', () => {
    const { sink, writes } = recorder();
    const batch = new LineBatch(sink, 60_000, 10);
    batch.write('12345\n');
    expect(writes).toEqual([]);
    batch.write('67890\n');
    expect(writes).toEqual(['12345\n67890\n']);
    batch.write('x\n');
    expect(batch.take()).toBe('x\n');
  });

  it('starts a new batch after each write', async () => {
    const { sink, writes } = recorder();
    const batch = new LineBatch(sink, 5);
    batch.write('a\n');
    await writesReach(writes, 1);
    batch.write('b\n');
    batch.write('c\n');
    await writesReach(writes, 2);
    expect(writes).toEqual(['a\n', 'b\nc\n']);
  });

  it('gives what is waiting to whoever writes it on exit, and nothing twice', async () => {
    const { sink, writes } = recorder();
    const batch = new LineBatch(sink, 5);
    batch.write('last\n');
    expect(batch.take()).toBe('last\n');
    expect(batch.take()).toBe('');
    batch.flush();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writes).toEqual([]);
  });
});
