/**
 * The bus's store cannot be reached (Redis down, or not answering in time). The request may
 * be retried later; clients get the `unavailable` error code, REST callers 503.
 */
export class ChatBusUnavailableError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`could not ${operation}: the chat store is unavailable (${cause instanceof Error ? cause.message : String(cause)})`, {
      cause,
    });
    this.name = 'ChatBusUnavailableError';
  }
}
