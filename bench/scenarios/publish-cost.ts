/**
 * Reading what Redis says of its own CPU: `INFO cpu` (user + system seconds of the process) and
 * `INFO commandstats` (calls per command), for the publish-cost scenario.
 */

/** used_cpu_user + used_cpu_sys of an `INFO cpu` reply, seconds. */
export function redisCpuSeconds(info: string): number {
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:([0-9.]+)\\r?$`, 'm').exec(info);
    if (match === null) throw new Error(`INFO cpu has no ${name}`);
    return Number(match[1]);
  };
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Calls per command (lower case) of an `INFO commandstats` reply. */
export function commandCalls(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([a-z|_-]+):calls=(\d+),/gm)) calls.set(match[1], Number(match[2]));
  return calls;
}

/** Microseconds of CPU per message between two readings. */
export function microsPerMessage(cpuBefore: number, cpuAfter: number, messages: number): number {
  return messages > 0 ? ((cpuAfter - cpuBefore) * 1e6) / messages : Number.NaN;
}

/**
 * Runs `send(i)` for i in [0, count), at most `inFlight` unanswered at a time: the offered
 * load is the same whatever is sent, and Redis, not the client, is what it waits on.
 */
export async function keepInFlight(
  count: number,
  inFlight: number,
  send: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
}
