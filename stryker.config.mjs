// Mutation testing (`npm run mutate`; docs/mutation.md): plants small bugs in the protocol and
// chat code one at a time and runs the unit tests that cover each. Not part of `npm test`.
// Scope a run on a shared machine: `npm run mutate -- --mutate src/chat/bus/room-history.ts`.
import jestConfig from './jest.config.js';

const unit = jestConfig.projects.find((project) => project.displayName === 'unit');

// A scoped run may judge its mutants by the specs where their logic lives only, e.g.
// MUTATE_TESTS=src/chat/bus/room-history.spec.ts,src/chat/bus/in-memory-chat-bus.spec.ts
// (default: every unit spec that imports the mutated file, directly or not).
const only = process.env.MUTATE_TESTS?.split(',').filter(Boolean);
const testMatch = only?.length ? only.map((path) => `<rootDir>/${path}`) : unit.testMatch;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  // Jest runs the TypeScript as native ESM (jest.config.js).
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: { projectType: 'custom', config: { ...unit, testMatch }, enableFindRelatedTests: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  // Only mutants that compile are tested; type errors count as killed by the compiler.
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: ['src/websocket/**/*.ts', 'src/chat/**/*.ts', '!src/**/*.spec.ts', '!src/**/index.ts'],
  coverageAnalysis: 'perTest',
  // Re-tests only the mutants whose code or tests changed since the last run.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // Two cores shared with other work; raise with --concurrency on a machine of your own.
  concurrency: 1,
  timeoutMS: 10_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
