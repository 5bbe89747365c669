// @ts-check
// Import rules that keep the layers apart (README "Development"):
// - src/websocket (the RFC 6455 protocol) imports nothing else of src and nothing of Nest;
// - the rest of src (the adapter, chat, ...) reaches the protocol only through its public
//   entry, src/websocket/index.ts.
// Specs, test/, bench/ and scripts/ may import what they need.
// The rules match import strings: a relative path that climbs out of src/websocket leaves the
// layer; a path through a `websocket/` folder to anything but index.js is a protocol internal.

const specs = ['**/*.spec.ts'];

const outsideOfSrc = {
  message: 'src/websocket is the protocol layer: it imports nothing from the rest of src.',
};
const nest = {
  group: ['@nestjs/*'],
  message: 'src/websocket is the protocol layer: it does not depend on Nest.',
};

/** Everything but the public entry of src/websocket, from any folder that has one in its path. */
const protocolInternals = (allowed = []) => ({
  regex: `(^|/)websocket/(?!(${['index', ...allowed].join('|')})\\.js$)`,
  message: "Import the protocol layer through its public entry ('websocket/index.js'), not its internals.",
});

/** @type {import('eslint').Linter.Config[]} */
export const layerRules = [
  {
    name: 'layers/websocket',
    files: ['src/websocket/*.ts'],
    ignores: specs,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./', ...outsideOfSrc }, nest] }],
    },
  },
  {
    name: 'layers/websocket-subfolders',
    files: ['src/websocket/*/**/*.ts'],
    ignores: specs,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./){2}', ...outsideOfSrc }, nest] }],
    },
  },
  {
    name: 'layers/protocol-entry',
    files: ['src/**/*.ts'],
    ignores: ['src/websocket/**', ...specs],
    rules: {
      'no-restricted-imports': ['error', { patterns: [protocolInternals()] }],
    },
  },
  {
    // Known exceptions, to be removed when src/websocket/index.ts exports what the upgrade
    // listener needs (issue 14, "the adapter's surface"): the header token test and the
    // request path of an upgrade.
    name: 'layers/protocol-entry-exceptions',
    files: ['src/adapter/port-host.ts', 'src/adapter/plain-request-guard.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [protocolInternals(['header-tokens', 'upgrade-router'])] }],
    },
  },
];
