import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectedDeliveries, membersPerRoom, messagesPerCore, microsPerMessage, roomNames } from './cluster-rooms.js';

describe('cluster rooms', () => {
  it('names distinct rooms', () => {
    assert.deepEqual(roomNames(3), ['bench-0', 'bench-1', 'bench-2']);
  });

  it('counts the receivers of each room over every load process, round robin from room 0', () => {
    assert.deepEqual(membersPerRoom([5], 3), [2, 2, 1]);
    assert.deepEqual(membersPerRoom([5, 4], 3), [4, 3, 2]);
    assert.deepEqual(membersPerRoom([2], 4), [1, 1, 0, 0]);
  });

  it('owes each room its accepted messages times its receivers', () => {
    assert.equal(expectedDeliveries([10, 3, 0], [4, 3, 2]), 49);
  });

  it('gives CPU per message and the messages one core carries', () => {
    assert.equal(microsPerMessage(0.5, 100_000), 5);
    assert.ok(Number.isNaN(microsPerMessage(undefined, 10)));
    assert.ok(Number.isNaN(microsPerMessage(1, 0)));
    assert.equal(messagesPerCore(5), 200_000);
    assert.ok(Number.isNaN(messagesPerCore(0)));
  });
});
