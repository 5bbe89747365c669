/**
 * XORs `bytes` in place with a masking key (RFC 6455 section 5.3). Masking and unmasking are the
 * same operation. `maskingKey` is the 4 key bytes as a big-endian uint32, `keyOffset` the
 * position within the key of `bytes[0]`, so a payload that arrives in pieces can be unmasked
 * piece by piece: pass the number of payload bytes already processed.
 */
export function applyMask(bytes: Uint8Array, maskingKey: number, keyOffset = 0): void {
  const length = bytes.length;
  if (length === 0) return;
  // Rotate the key so that index 0 of `bytes` lines up with key byte 0.
  const shift = (keyOffset & 3) * 8;
  const key = shift === 0 ? maskingKey >>> 0 : ((maskingKey << shift) | (maskingKey >>> (32 - shift))) >>> 0;
  const k0 = key >>> 24;
  const k1 = (key >>> 16) & 0xff;
  const k2 = (key >>> 8) & 0xff;
  const k3 = key & 0xff;
  const whole = length & ~3;
  let i = 0;
  for (; i < whole; i += 4) {
    bytes[i] ^= k0;
    bytes[i + 1] ^= k1;
    bytes[i + 2] ^= k2;
    bytes[i + 3] ^= k3;
  }
  if (i < length) bytes[i++] ^= k0;
  if (i < length) bytes[i++] ^= k1;
  if (i < length) bytes[i] ^= k2;
}
