/** The keys that hold rooms' history (streams, idempotency keys, the index of rooms with history), not presence. */
export function isHistoryKey(prefix: string, key: string): boolean {
  return (
    key.startsWith(`${prefix}stream:`) ||
    key.startsWith(`${prefix}sent:`) ||
    key.startsWith(`${prefix}sent-prev:`) ||
    key.startsWith(`${prefix}sent-at:`) ||
    key === `${prefix}room-activity`
  );
}
