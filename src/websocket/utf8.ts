import { isUtf8 } from 'node:buffer';

/**
 * Incremental UTF-8 validation as a DFA over bytes. The states follow the well-formed byte
 * sequences of Unicode table 3-7, so overlong forms (C0, C1, E0 80..9F, F0 80..8F), surrogates
 * (ED A0..BF) and code points above U+10FFFF (F4 90.., F5..FF) are rejected at the first byte
 * that makes them impossible, which lets a fragmented text message fail before it ends.
 */
export const UTF8_ACCEPT = 0;
export const UTF8_REJECT = 1;

const NEED_1 = 2; // one more 80..BF
const NEED_2 = 3; // two more 80..BF
const NEED_3 = 4; // three more 80..BF
const AFTER_E0 = 5; // A0..BF then one more (no overlong 3-byte forms)
const AFTER_ED = 6; // 80..9F then one more (no surrogates)
const AFTER_F0 = 7; // 90..BF then two more (no overlong 4-byte forms)
const AFTER_F4 = 8; // 80..8F then two more (nothing above U+10FFFF)
const STATE_COUNT = 9;

// Byte classes.
const ASCII = 0; // 00..7F
const CONT_80_8F = 1;
const CONT_90_9F = 2;
const CONT_A0_BF = 3;
const INVALID = 4; // C0, C1, F5..FF
const LEAD_2 = 5; // C2..DF
const LEAD_E0 = 6;
const LEAD_3 = 7; // E1..EC, EE, EF
const LEAD_ED = 8;
const LEAD_F0 = 9;
const LEAD_4 = 10; // F1..F3
const LEAD_F4 = 11;
const CLASS_COUNT = 12;

const byteClass = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  let c: number;
  if (b < 0x80) c = ASCII;
  else if (b < 0x90) c = CONT_80_8F;
  else if (b < 0xa0) c = CONT_90_9F;
  else if (b < 0xc0) c = CONT_A0_BF;
  else if (b < 0xc2) c = INVALID;
  else if (b < 0xe0) c = LEAD_2;
  else if (b === 0xe0) c = LEAD_E0;
  else if (b === 0xed) c = LEAD_ED;
  else if (b < 0xf0) c = LEAD_3;
  else if (b === 0xf0) c = LEAD_F0;
  else if (b < 0xf4) c = LEAD_4;
  else if (b === 0xf4) c = LEAD_F4;
  else c = INVALID;
  byteClass[b] = c;
}

// transitions[state * CLASS_COUNT + class] = next state; anything not set is UTF8_REJECT.
const transitions = new Uint8Array(STATE_COUNT * CLASS_COUNT).fill(UTF8_REJECT);
function on(state: number, classes: number[], next: number): void {
  for (const c of classes) transitions[state * CLASS_COUNT + c] = next;
}
const ANY_CONT = [CONT_80_8F, CONT_90_9F, CONT_A0_BF];
on(UTF8_ACCEPT, [ASCII], UTF8_ACCEPT);
on(UTF8_ACCEPT, [LEAD_2], NEED_1);
on(UTF8_ACCEPT, [LEAD_E0], AFTER_E0);
on(UTF8_ACCEPT, [LEAD_3], NEED_2);
on(UTF8_ACCEPT, [LEAD_ED], AFTER_ED);
on(UTF8_ACCEPT, [LEAD_F0], AFTER_F0);
on(UTF8_ACCEPT, [LEAD_4], NEED_3);
on(UTF8_ACCEPT, [LEAD_F4], AFTER_F4);
on(NEED_1, ANY_CONT, UTF8_ACCEPT);
on(NEED_2, ANY_CONT, NEED_1);
on(NEED_3, ANY_CONT, NEED_2);
on(AFTER_E0, [CONT_A0_BF], NEED_1);
on(AFTER_ED, [CONT_80_8F, CONT_90_9F], NEED_1);
on(AFTER_F0, [CONT_90_9F, CONT_A0_BF], NEED_2);
on(AFTER_F4, [CONT_80_8F], NEED_2);

/** Below this size the native call costs more than it saves. */
const NATIVE_THRESHOLD = 64;
/** Part of a buffer needs a view for the native call: it pays from this size on. */
const NATIVE_VIEW_THRESHOLD = 1024;

/**
 * Feeds `bytes[start..end)` to the validator in `state` and returns the new state: UTF8_ACCEPT
 * on a character boundary, UTF8_REJECT (sticky) at the first invalid byte, anything else in the
 * middle of a character. Allocation-free, so a parser can keep the state in a number field.
 */
export function utf8Step(state: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (state === UTF8_REJECT) return state;
  let i = start;
  const whole = start === 0 && end === bytes.length;
  if (state === UTF8_ACCEPT && end - start >= (whole ? NATIVE_THRESHOLD : NATIVE_VIEW_THRESHOLD)) {
    // The common case, a whole message in one piece: let simdutf check it. A false here may
    // only mean the piece stops mid-character, so the DFA below decides.
    if (isUtf8(whole ? bytes : bytes.subarray(start, end))) return UTF8_ACCEPT;
  }
  while (i < end) {
    if (state === UTF8_ACCEPT) {
      while (i < end && bytes[i] < 0x80) i++;
      if (i === end) break;
    }
    state = transitions[state * CLASS_COUNT + byteClass[bytes[i]]];
    if (state === UTF8_REJECT) return state;
    i++;
  }
  return state;
}

/** True when `bytes` is complete, well-formed UTF-8. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return utf8Step(UTF8_ACCEPT, bytes) === UTF8_ACCEPT;
}
