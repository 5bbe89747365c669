/**
 * `fromId`, the stable id of a message's sender (README "Who sent it: fromId"):
 * - an authenticated client: its principal's id (`principalId`);
 * - an anonymous WebSocket client: its connection id, the `id` of `welcome`;
 * - an anonymous REST post: `API_SENDER_ID`;
 * - a notice posted by the host's own code through ChatServer: `SYSTEM_SENDER_ID`.
 */
export const API_SENDER_ID = 'api';
export const SYSTEM_SENDER_ID = 'system';

/** The display name of ChatServer's notices unless the host gives another. */
export const SYSTEM_SENDER_NAME = 'system';

/**
 * The id an authenticated principal carries: a string principal itself, else the first of its
 * `sub` (JWT claims), `subject` (our TokenVerifier's principal) and `id` that is a non-empty
 * string or a finite number. Undefined for anything else.
 */
export function principalId(principal: unknown): string | undefined {
  if (typeof principal === 'string') return principal === '' ? undefined : principal;
  if (typeof principal !== 'object' || principal === null) return undefined;
  const { sub, subject, id } = principal as { sub?: unknown; subject?: unknown; id?: unknown };
  for (const candidate of [sub, subject, id]) {
    if (typeof candidate === 'string' && candidate !== '') return candidate;
    if (typeof candidate === 'number' && Number.isFinite(candidate)) return String(candidate);
  }
  return undefined;
}
