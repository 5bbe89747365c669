import fc from 'fast-check';

/**
 * Shared by every property test (jest `setupFiles`). A failing property reports its seed and
 * path in the error (fast-check's own message); run again with FC_SEED=<seed> to replay the
 * same cases. Shrinking a counterexample is cut off after SHRINK_LIMIT_MS and the smallest
 * one found so far is reported, instead of a 3,000-run property shrinking for minutes.
 *
 * The limit interrupts a whole `fc.assert`: on a machine so busy that a passing property runs
 * out of time, the runs done so far count (not a failure), so load never fails a test.
 */
const SHRINK_LIMIT_MS = 20_000;

const seed = process.env.FC_SEED;
if (seed !== undefined && !/^-?\d+$/.test(seed)) throw new Error(`FC_SEED must be an integer, got "${seed}"`);

fc.configureGlobal({
  ...fc.readConfigureGlobal(),
  ...(seed === undefined ? {} : { seed: Number(seed) }),
  interruptAfterTimeLimit: SHRINK_LIMIT_MS,
  markInterruptAsFailure: false,
});
