/**
 * The bus's store cannot be reached (Redis down, or not answering in time). The request may
 * be retried later; clients get the `unavailable` error code, REST callers 503.
 *
 * `maybeDone`: the request was sent and got no answer (timed out, or the connection dropped
 * with it in flight), so Redis may have carried it out. For a message that is `maybe_stored`:
 * the client resends it with the same idempotency key, which stores it at most once.
 */
export class ChatBusUnavailableError extends Error {
  constructor(
    operation: string,
    cause: unknown,
    readonly maybeDone = false,
  ) {
    super(
      `could not ${operation}: the chat store is unavailable (${cause instanceof Error ? cause.message : String(cause)})`,
      {
        cause,
      },
    );
    this.name = 'ChatBusUnavailableError';
  }
}

/**
 * The message would start the history of a new room, but the bus already keeps `maxRooms` rooms
 * and none of them may be dropped (each has members or recent messages). Clients get the
 * `too_many_rooms` error code, REST callers 503; retrying after `retryAfterSeconds` may succeed.
 */
export class RoomLimitError extends Error {
  constructor(
    readonly maxRooms: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`the chat keeps history for at most ${maxRooms} rooms and every one of them is in use; try again later`);
    this.name = 'RoomLimitError';
  }
}
