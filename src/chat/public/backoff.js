/**
 * Reconnect delay for the given attempt (0-based): exponential growth capped at `cap`,
 * with "equal jitter" (half fixed, half random) so that a server restart does not bring
 * every tab back in the same millisecond, while no retry comes sooner than half the step.
 */
export function backoffDelay(attempt, { base = 500, cap = 30_000, random = Math.random } = {}) {
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
