/** The keys that hold rooms' history (their streams and the index of rooms with history), not presence. */
export function isHistoryKey(prefix: string, key: string): boolean {
  return key.startsWith(`${prefix}stream:`) || key === `${prefix}room-activity`;
}
