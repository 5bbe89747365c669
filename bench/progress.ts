/**
 * The progress line: one line on stderr, rewritten in place on a terminal; elsewhere (CI logs)
 * one line per step, without the in-place updates.
 */
export class Progress {
  private stepIndex = 0;
  private label = '';
  private readonly startedAt = Date.now();
  private readonly tty = process.stderr.isTTY === true;
  private shown = false;

  constructor(private readonly totalSteps: number) {}

  step(label: string): void {
    this.stepIndex++;
    this.label = label;
    if (this.tty) this.render('');
    else process.stderr.write(`${this.prefix()} ${label}\n`);
  }

  update(detail: string): void {
    if (this.tty) this.render(detail);
  }

  /** A permanent line (results, warnings) above the progress line. */
  log(line: string): void {
    this.clear();
    process.stderr.write(`${line}\n`);
    if (this.tty && this.label) this.render('');
  }

  done(): void {
    this.clear();
    process.stderr.write(`${this.prefix()} done\n`);
  }

  private prefix(): string {
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const finished = Math.max(this.stepIndex - 1, 0);
    const left = finished > 0 ? ((this.totalSteps - finished) * elapsed) / finished : Number.NaN;
    const eta = Number.isFinite(left) ? `, ~${duration(left)} left` : '';
    return `[${this.stepIndex}/${this.totalSteps} ${duration(elapsed)}${eta}]`;
  }

  private render(detail: string): void {
    const line = `${this.prefix()} ${this.label}${detail ? ` · ${detail}` : ''}`;
    const width = process.stderr.columns ?? 120;
    process.stderr.write(`\r\x1b[K${line.length > width - 1 ? line.slice(0, width - 2) + '…' : line}`);
    this.shown = true;
  }

  private clear(): void {
    if (this.tty && this.shown) process.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
