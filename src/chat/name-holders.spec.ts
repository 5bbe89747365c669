import { NameHolders } from './name-holders.js';

describe('NameHolders', () => {
  it('gives a name in a room to one identity, for as many of its connections as hold it', () => {
    const names = new NameHolders();
    names.take('lobby', 'ann', 'id-1');
    names.take('lobby', 'ann', 'id-1');
    expect(names.isTakenFrom('lobby', 'ann', 'id-2')).toBe(true);
    expect(names.isTakenFrom('lobby', 'ann', 'id-1')).toBe(false);
    expect(names.isTakenFrom('side', 'ann', 'id-2')).toBe(false);
    expect(names.isTakenFrom('lobby', 'Ann', 'id-2')).toBe(false);
    names.release('lobby', 'ann');
    expect(names.isTakenFrom('lobby', 'ann', 'id-2')).toBe(true);
    names.release('lobby', 'ann');
    expect(names.isTakenFrom('lobby', 'ann', 'id-2')).toBe(false);
  });

  it('ignores the release of a name nobody holds', () => {
    const names = new NameHolders();
    names.release('lobby', 'ann');
    names.take('lobby', 'ann', 'id-1');
    names.release('lobby', 'bob');
    expect(names.isTakenFrom('lobby', 'ann', 'id-2')).toBe(true);
  });
});
