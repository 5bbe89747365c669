/** What a batch writes to: pino's asynchronous destination (sonic-boom), or a test's stream. */
export interface LineSink {
  write(chunk: string): unknown;
}

/** How long a line may wait for others before it is written. */
export const BATCH_DELAY_MS = 20;
/** Buffered characters that are written at once, without waiting. */
export const BATCH_MAX_CHARS = 16_384;

/**
 * Log lines written close together reach the sink in one write: at most BATCH_DELAY_MS after
 * the first of them, or as soon as BATCH_MAX_CHARS are waiting. Each write to the asynchronous
 * destination is a write(2) through libuv's thread pool; one per connection log line was most
 * of what the service paid per handshake over the bench app. The timer is unref'd: whoever
 * owns the batch writes what is left on exit (`take`).
 */
export class LineBatch {
  private pending = '';
  private timer: NodeJS.Timeout | undefined = undefined;
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.flush();
  };

  constructor(
    private readonly sink: LineSink,
    private readonly delayMs = BATCH_DELAY_MS,
    private readonly maxChars = BATCH_MAX_CHARS,
  ) {}

  write(line: string): boolean {
    this.pending += line;
    if (this.pending.length >= this.maxChars) this.flush();
    else this.timer ??= setTimeout(this.onTimer, this.delayMs).unref();
    return true;
  }

  /** Hands what is waiting to the sink now. */
  flush(): void {
    const chunk = this.take();
    if (chunk !== '') this.sink.write(chunk);
  }

  /** What is waiting, which the caller writes itself (synchronously, on exit). */
  take(): string {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const chunk = this.pending;
    this.pending = '';
    return chunk;
  }
}
