/** ioredis' refusal of a command it did not send (no connection, and no offline queue). */
const NOT_SENT = "Stream isn't writeable";

/**
 * Whether Redis may have run a command that failed with `error`. Certainly not when ioredis
 * refused to send it, or when Redis answered with an error reply (the store script can only
 * fail at its first write, or before: Redis lets a script that has written go on); maybe for
 * anything else: a timeout or a connection lost with the command in flight leaves it in
 * Redis' hands, to run now or once it resumes.
 */
export function mayHaveRun(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  return error.name !== 'ReplyError' && !error.message.startsWith(NOT_SENT);
}
