import { COMPRESSION_TARGETS } from './conformance/cases/compression-index.js';
import { runCase } from './conformance/run-case.js';
import { startNestEchoTarget } from './conformance/targets/nest-echo-target.js';
import type { ConformanceTarget } from './conformance/targets/target.js';

/**
 * RFC 7692 conformance, Autobahn-style sections 12 (compressed messages) and 13 (every
 * parameter combination), against the /echo gateway on our adapter with permessage-deflate
 * on, in each server set-up of COMPRESSION_TARGETS. The expected 101 answers are our
 * negotiation's, so unlike conformance.e2e-spec.ts there is no `ws` reference mode here.
 */
for (const setup of COMPRESSION_TARGETS) {
  describe(`RFC 7692 conformance, server with ${setup.name}`, () => {
    let target: ConformanceTarget;

    beforeAll(async () => {
      target = await startNestEchoTarget({ perMessageDeflate: setup.perMessageDeflate });
    });

    afterAll(async () => {
      await target?.stop();
    });

    for (const section of setup.sections) {
      describe(`${section.id} ${section.title}`, () => {
        for (const testCase of section.cases) {
          it(`${testCase.id} ${testCase.description}`, () => runCase(target, testCase), 15_000);
        }
      });
    }
  });
}
