import type { InspectorGc } from './inspector-gc.js';
import { valueOf } from '../../test/helpers/hardening-metrics-text.js';

export interface MemorySample {
  at: number;
  heapUsed: number;
  rss: number;
  connections: number;
}

/** The server's heap and RSS as its /metrics reports them, right after a full collection. */
export async function sampleMemory(httpUrl: string, started: number, gc: InspectorGc): Promise<MemorySample> {
  await gc.collect();
  const response = await fetch(`${httpUrl}/metrics`);
  const text = await response.text();
  return {
    at: (performance.now() - started) / 1000,
    heapUsed: valueOf(text, 'nodejs_heap_size_used_bytes') ?? Number.NaN,
    rss: valueOf(text, 'process_resident_memory_bytes') ?? Number.NaN,
    connections: valueOf(text, 'ws_connections', { path: '/chat' }) ?? Number.NaN,
  };
}

/** Least-squares slope of `value` over time, in units per minute. */
export function slopePerMinute<T extends { at: number }>(samples: readonly T[], value: (sample: T) => number): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanX = samples.reduce((sum, s) => sum + s.at, 0) / n;
  const meanY = samples.reduce((sum, s) => sum + value(s), 0) / n;
  let num = 0;
  let den = 0;
  for (const sample of samples) {
    num += (sample.at - meanX) * (value(sample) - meanY);
    den += (sample.at - meanX) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

export const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;
