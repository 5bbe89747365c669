import { RoomCursors } from './room-cursors.js';

describe('RoomCursors', () => {
  it('lets every message through for rooms nobody here follows', () => {
    const cursors = new RoomCursors();
    expect([cursors.admit('r', '5-0'), cursors.admit('r', '5-0'), cursors.admit('r', '1-0')]).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('admits each message of a followed room once, in id order', () => {
    const cursors = new RoomCursors();
    cursors.track('r');
    expect(cursors.admit('r', '1-0')).toBe(true);
    expect(cursors.admit('r', '2-0')).toBe(true);
    expect(cursors.admit('r', '2-0')).toBe(false);
    expect(cursors.admit('r', '1-5')).toBe(false);
    expect(cursors.admit('r', '10-0')).toBe(true);
  });

  it('drops what the first joiner reads in its history, and never moves back', () => {
    const cursors = new RoomCursors();
    cursors.track('r');
    expect(cursors.admit('r', '3-0')).toBe(true);
    cursors.seed('r', '7-0');
    expect(cursors.admit('r', '7-0')).toBe(false);
    expect(cursors.admit('r', '8-0')).toBe(true);
    cursors.seed('r', '2-0');
    expect(cursors.admit('r', '8-0')).toBe(false);
    cursors.seed('unfollowed', '9-0');
    expect(cursors.isTracked('unfollowed')).toBe(false);
  });

  it('resumes only seeded rooms, after their newest delivered message', () => {
    const cursors = new RoomCursors();
    cursors.track('a');
    cursors.track('b');
    cursors.seed('a', '0-0');
    cursors.admit('a', '4-2');
    expect(cursors.resumePoints()).toEqual([{ room: 'a', after: '4-2' }]);
    cursors.untrack('a');
    expect(cursors.resumePoints()).toEqual([]);
    expect(cursors.size).toBe(1);
  });

  it('keeps the cursor of a room tracked twice', () => {
    const cursors = new RoomCursors();
    cursors.track('r');
    cursors.admit('r', '5-0');
    cursors.track('r');
    expect(cursors.admit('r', '5-0')).toBe(false);
  });
});
