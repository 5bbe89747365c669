import { spawnSync } from 'node:child_process';

// The layer rules of eslint.config.mjs, run through ESLint on small in-memory sources placed in
// each layer, and on src as it is. The whole lint (type-aware rules too) is `npm run lint`.

const PROBE_MS = 120_000;

interface Probe {
  name: string;
  filePath: string;
  code: string;
}

interface LintMessage {
  ruleId: string | null;
  message: string;
  line: number;
}

interface LintReport {
  filePath: string;
  messages: LintMessage[];
}

const OUTSIDE = /imports nothing from the rest of src/;
const NEST = /does not depend on Nest/;
const INTERNALS = /through its public entry/;
const ADAPTER_ALONE = /src\/adapter depends on the protocol layer alone/;

/** What each probe must draw from the layer rule: one pattern per offending line, in order. */
const cases: { probe: Probe; expected: RegExp[] }[] = [
  {
    probe: probe('websocket-imports-chat', 'src/websocket', "import { ChatError } from '../chat/chat-error.js';"),
    expected: [OUTSIDE],
  },
  {
    probe: probe('websocket-imports-nest', 'src/websocket', "import { Injectable } from '@nestjs/common';"),
    expected: [NEST],
  },
  {
    probe: probe(
      'websocket-reexports-config',
      'src/websocket',
      "export { loadEnvironment } from '../config/environment.js';",
    ),
    expected: [OUTSIDE],
  },
  {
    probe: probe(
      'websocket-own-files',
      'src/websocket',
      "import { CloseCode } from './constants.js';\nimport { constants } from 'node:zlib';",
    ),
    expected: [],
  },
  {
    probe: probe(
      'adapter-internal',
      'src/adapter',
      "import { WebSocketConnection } from '../websocket/connection.js';",
    ),
    expected: [INTERNALS],
  },
  {
    probe: probe('adapter-entry', 'src/adapter', "import { WebSocketServer } from '../websocket/index.js';"),
    expected: [],
  },
  {
    probe: probe(
      'adapter-imports-the-service',
      'src/adapter',
      "import { ConnectionLog } from '../logging/index.js';\nimport { clientAddress } from '../http/index.js';",
    ),
    expected: [ADAPTER_ALONE, ADAPTER_ALONE],
  },
  {
    probe: probe(
      'chat-type-only-internal',
      'src/chat',
      "import type { FrameParser } from '../websocket/frame-parser.js';",
    ),
    expected: [INTERNALS],
  },
  {
    probe: probe('chat-reexported-internal', 'src/chat', "export { WebSocketError } from '../websocket/errors.js';"),
    expected: [INTERNALS],
  },
  {
    probe: probe(
      'chat-deep-internal',
      'src/chat/bus/redis',
      "import { acceptKey } from '../../../websocket/handshake.js';",
    ),
    expected: [INTERNALS],
  },
  {
    probe: probe('chat-entry', 'src/chat', "import { CloseCode } from '../websocket/index.js';"),
    expected: [],
  },
  {
    probe: probe(
      'test-imports-internals',
      'test',
      "import { WebSocketConnection } from '../src/websocket/connection.js';",
    ),
    expected: [],
  },
  {
    probe: probe('bench-imports-internals', 'bench', "import { FrameParser } from '../src/websocket/frame-parser.js';"),
    expected: [],
  },
  {
    probe: {
      name: 'websocket-spec',
      filePath: 'src/websocket/layer-probe.spec.ts',
      code: "import { within } from '../../test/helpers/waiting.js';\nimport { ChatError } from '../chat/chat-error.js';\n",
    },
    expected: [],
  },
];

function probe(name: string, folder: string, code: string): Probe {
  return { name, filePath: `${folder}/${name}.ts`, code: `${code}\n` };
}

function runProbe(files: string[]): LintReport[] {
  const input = JSON.stringify({ probes: cases.map((each) => each.probe), files });
  const run = spawnSync(process.execPath, ['test/helpers/lint-probe.mjs'], {
    input,
    encoding: 'utf8',
    timeout: PROBE_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) {
    throw new Error(`lint-probe.mjs exited with ${run.status ?? run.signal}: ${run.stderr}`);
  }
  return JSON.parse(run.stdout) as LintReport[];
}

describe('layer import rules (eslint.config.mjs)', () => {
  let reports: LintReport[];

  beforeAll(() => {
    reports = runProbe(['src']);
  }, PROBE_MS + 10_000);

  it.each(cases.map((each) => [each.probe.name, each] as const))('%s', (_name, { probe: given, expected }) => {
    const report = reports.find((each) => each.filePath === given.filePath);
    if (report === undefined) throw new Error(`no lint report for ${given.filePath}`);
    const layerMessages = report.messages.filter((message) => message.ruleId === 'no-restricted-imports');
    expect(layerMessages.map((message) => message.line)).toEqual(expected.map((_pattern, index) => index + 1));
    layerMessages.forEach((message, index) => expect(message.message).toMatch(expected[index]));
  });

  it('finds src as it is within its layers', () => {
    const sourceReports = reports.filter((report) => !cases.some((each) => each.probe.filePath === report.filePath));
    expect(sourceReports.length).toBeGreaterThan(100);
    const violations = sourceReports.flatMap((report) =>
      report.messages
        .filter((message) => message.ruleId === 'no-restricted-imports')
        .map((message) => `${report.filePath}:${message.line} ${message.message}`),
    );
    expect(violations).toEqual([]);
  });
});
