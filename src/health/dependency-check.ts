/**
 * A dependency the service cannot work without (Redis when `BUS=redis`), reported by
 * /health. `check` resolves to undefined when healthy, or to the reason it is not; it must
 * settle within a few seconds (a timeout on every request it makes).
 */
export interface DependencyCheck {
  readonly name: string;
  check(): Promise<string | undefined>;
}

/** The list of DependencyChecks /health runs (`HealthModule.forRoot` provides it). */
export const HEALTH_INDICATORS = Symbol('HEALTH_INDICATORS');
