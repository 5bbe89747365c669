import type { BenchContext } from '../context.js';
import type { RunningTarget, TargetName } from '../targets.js';

/** The targets of one scenario: started on first use, restarted if one died, all stopped at the end. */
export class TargetSession {
  private readonly running = new Map<TargetName, RunningTarget>();

  constructor(
    private readonly context: BenchContext,
    private readonly tag: string,
    private readonly chat = false,
  ) {}

  async get(name: TargetName): Promise<RunningTarget> {
    const current = this.running.get(name);
    if (current?.alive) return current;
    if (current !== undefined) this.context.progress.log(`  ! target ${name} died; restarting it`);
    const target = await this.context.startTarget(name, this.tag, this.chat);
    this.running.set(name, target);
    return target;
  }

  async stop(name?: TargetName): Promise<void> {
    const names = name === undefined ? [...this.running.keys()] : [name];
    await Promise.all(
      names.map(async (key) => {
        const target = this.running.get(key);
        this.running.delete(key);
        await target?.stop();
      }),
    );
  }
}

/** Runs `body` with a TargetSession and stops every target afterwards, whatever happens. */
export async function withTargets(
  context: BenchContext,
  tag: string,
  body: (targets: TargetSession) => Promise<void>,
  chat = false,
): Promise<void> {
  const session = new TargetSession(context, tag, chat);
  try {
    await body(session);
  } finally {
    await session.stop();
  }
}
