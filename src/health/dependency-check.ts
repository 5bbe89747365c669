/**
 * A dependency the service cannot work without (Redis when `BUS=redis`). Feature modules
 * provide these under HEALTH_INDICATORS; `check` resolves to undefined when healthy, or to
 * the reason it is not.
 */
export interface DependencyCheck {
  readonly name: string;
  check(): Promise<string | undefined>;
}

export const HEALTH_INDICATORS = Symbol('HEALTH_INDICATORS');
