import { SECTIONS } from './conformance/cases/index.js';
import { runCase } from './conformance/run-case.js';
import { startNestEchoTarget } from './conformance/targets/nest-echo-target.js';
import type { ConformanceTarget } from './conformance/targets/target.js';
import { startWsEchoTarget } from './conformance/targets/ws-echo-target.js';

/**
 * The Nest app with our adapter serving /echo. `CONFORMANCE_TARGET=ws` plays the same cases
 * against a bare `ws` server instead, to tell a wrong case from a wrong server (the cases where
 * `ws` departs from our contract are listed in targets/ws-echo-target.ts).
 */
function startTarget(): Promise<ConformanceTarget> {
  return process.env.CONFORMANCE_TARGET === 'ws' ? startWsEchoTarget() : startNestEchoTarget();
}

describe('RFC 6455 conformance (raw TCP, Autobahn-style sections)', () => {
  let target: ConformanceTarget;

  beforeAll(async () => {
    target = await startTarget();
  });

  afterAll(async () => {
    await target?.stop();
  });

  for (const section of SECTIONS) {
    describe(`${section.id} ${section.title}`, () => {
      for (const testCase of section.cases) {
        it(`${testCase.id} ${testCase.description}`, () => runCase(target, testCase), 15_000);
      }
    });
  }
});
