/** A running WebSocket echo endpoint the conformance cases are played against. */
export interface ConformanceTarget {
  readonly port: number;
  readonly path: string;
  stop(): Promise<void>;
}
