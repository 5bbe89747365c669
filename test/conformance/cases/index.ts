import { framingSection } from './01-framing.js';
import { pingPongSection } from './02-ping-pong.js';
import { reservedBitsSection } from './03-reserved-bits.js';
import { opcodesSection } from './04-opcodes.js';
import { fragmentationSection } from './05-fragmentation.js';
import { utf8Section } from './06-utf8.js';
import { closeSection } from './07-close.js';
import { limitsSection } from './09-limits.js';
import { maskingSection } from './10-masking.js';
import type { Section } from './types.js';

export type { ConformanceCase, Section } from './types.js';

/** Numbered like the Autobahn|Testsuite sections (which have no section 8). */
export const SECTIONS: readonly Section[] = [
  framingSection,
  pingPongSection,
  reservedBitsSection,
  opcodesSection,
  fragmentationSection,
  utf8Section,
  closeSection,
  limitsSection,
  maskingSection,
];
