// @ts-check
// Import rules that keep the layers apart (README "Development"):
// - src/websocket (the RFC 6455 protocol) imports nothing else of src and nothing of Nest;
// - the rest of src (the adapter, chat, ...) reaches the protocol only through its public
//   entry, src/websocket/index.ts;
// - src/adapter imports nothing of src but that entry.
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

const adapterOutside = {
  regex: '^\\.\\./(?!websocket/)',
  message: 'src/adapter depends on the protocol layer alone: take what it needs from the rest of src as options.',
};

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
    // The adapter is a thin translation of the protocol's server into Nest's hooks: what it
    // needs from the service (connection log, client address, ...) comes in as options.
    name: 'layers/adapter',
    files: ['src/adapter/**/*.ts'],
    ignores: specs,
    rules: {
      'no-restricted-imports': ['error', { patterns: [protocolInternals(), adapterOutside] }],
    },
  },
];
