import { collectDefaultMetrics, Registry } from 'prom-client';

/** Injection token of the application's own prom-client Registry. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

let processMetrics: Registry | undefined;

/**
 * prom-client's default metrics (CPU, memory, heap, event-loop lag, GC, handles) describe
 * the process, not one application: they are collected once per process, into a registry
 * of their own, whatever the number of Nest applications in it (tests start many).
 */
export function processRegistry(): Registry {
  if (processMetrics === undefined) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/** The application's metrics and the process's, as one Prometheus text exposition. */
export async function exposition(appRegistry: Registry): Promise<{ contentType: string; body: string }> {
  const merged = Registry.merge([processRegistry(), appRegistry]);
  return { contentType: merged.contentType, body: await merged.metrics() };
}
