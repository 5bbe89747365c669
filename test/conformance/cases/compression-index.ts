import type { PerMessageDeflateOptions } from '../../../src/websocket/index.js';
import { compressionSection } from './12-compression.js';
import { AS_OFFERED, compressionParametersSection, type AnswerTable } from './13-compression-parameters.js';
import type { Section } from './types.js';

/** A server set-up the compression sections are played against, with what it must answer. */
export interface CompressionTarget {
  readonly name: string;
  readonly perMessageDeflate: PerMessageDeflateOptions;
  readonly sections: readonly Section[];
}

const PMD = 'permessage-deflate';
const NT = `${PMD}; server_no_context_takeover; client_no_context_takeover`;

// The answers to OFFERS (13-compression-parameters.ts), row by row, for each set-up: RFC 7692
// section 7 applied by hand, so a change in negotiation shows up here as a diff.
const DEFAULT_ANSWERS: AnswerTable = [
  NT,
  NT,
  NT,
  NT,
  NT,
  `${NT}; server_max_window_bits=8`,
  `${NT}; server_max_window_bits=9`,
  `${NT}; server_max_window_bits=15`,
  `${NT}; client_max_window_bits=8`,
  `${NT}; client_max_window_bits=12`,
  `${NT}; server_max_window_bits=10; client_max_window_bits=10`,
  `${NT}; server_max_window_bits=8`,
  NT,
  `${NT}; client_max_window_bits=9`,
  null,
  null,
  null,
];

const TAKEOVER_ANSWERS: AnswerTable = [
  AS_OFFERED,
  PMD,
  AS_OFFERED,
  AS_OFFERED,
  AS_OFFERED,
  AS_OFFERED,
  AS_OFFERED,
  AS_OFFERED,
  AS_OFFERED,
  AS_OFFERED,
  `${PMD}; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=10`,
  `${PMD}; server_max_window_bits=8`,
  PMD,
  `${PMD}; client_max_window_bits=9`,
  null,
  null,
  null,
];

const SMALL = `${NT}; server_max_window_bits=10`;
const SMALL_WINDOW_ANSWERS: AnswerTable = [
  SMALL,
  `${SMALL}; client_max_window_bits=10`,
  SMALL,
  SMALL,
  SMALL,
  `${NT}; server_max_window_bits=8`,
  `${NT}; server_max_window_bits=9`,
  SMALL,
  `${SMALL}; client_max_window_bits=8`,
  `${SMALL}; client_max_window_bits=10`,
  `${SMALL}; client_max_window_bits=10`,
  `${NT}; server_max_window_bits=8`,
  `${SMALL}; client_max_window_bits=10`,
  `${SMALL}; client_max_window_bits=9`,
  null,
  null,
  null,
];

export const COMPRESSION_TARGETS: readonly CompressionTarget[] = [
  {
    name: 'default settings (no context takeover, 1 KiB threshold)',
    perMessageDeflate: {},
    sections: [
      compressionSection({ negotiated: NT, echoCompressed: (size) => size >= 1024 }),
      compressionParametersSection(DEFAULT_ANSWERS),
    ],
  },
  {
    name: 'context takeover allowed both ways',
    perMessageDeflate: { serverNoContextTakeover: false, clientNoContextTakeover: false },
    sections: [
      compressionSection({ negotiated: PMD, echoCompressed: () => true }),
      compressionParametersSection(TAKEOVER_ANSWERS),
    ],
  },
  {
    name: 'windows limited to 10 bits',
    perMessageDeflate: { serverMaxWindowBits: 10, clientMaxWindowBits: 10 },
    sections: [compressionParametersSection(SMALL_WINDOW_ANSWERS)],
  },
];
