/**
 * Arithmetic of the Redis Cluster scenario: which receivers are in which room, what a drain
 * must have delivered, and Redis CPU per message.
 */

/** The rooms of the scenario: enough of them that every shard holds some. */
export function roomNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench-${i}`);
}

/**
 * Receivers per room when each load process (`shares`: its connections) joins its connection i
 * to room i % rooms, as the chat receivers driver does with a list of rooms.
 */
export function membersPerRoom(shares: readonly number[], rooms: number): number[] {
  const members = new Array<number>(rooms).fill(0);
  for (const share of shares) {
    for (let room = 0; room < rooms; room++)
      members[room] += Math.floor(share / rooms) + (room < share % rooms ? 1 : 0);
  }
  return members;
}

/** Deliveries owed once everything has arrived: each room's accepted messages x its receivers. */
export function expectedDeliveries(acceptedPerRoom: readonly number[], members: readonly number[]): number {
  return acceptedPerRoom.reduce((sum, accepted, room) => sum + accepted * (members[room] ?? 0), 0);
}

/** CPU µs per message; NaN without messages or without a CPU reading. */
export function microsPerMessage(cpuSeconds: number | undefined, messages: number): number {
  return cpuSeconds === undefined || messages <= 0 ? Number.NaN : (cpuSeconds * 1e6) / messages;
}

/** Messages per second one core carries at `micros` µs of CPU per message. */
export function messagesPerCore(micros: number): number {
  return micros > 0 ? 1e6 / micros : Number.NaN;
}
