/**
 * Deepest nesting of arrays and objects in a chat payload or REST body. Ours are flat objects
 * (depth 1); the headroom only spares clients that attach a little structure of their own,
 * which validation strips. class-transformer and class-validator recurse through whatever
 * they are given, so this is checked before them: a body nested 50,000 deep would otherwise
 * overflow the stack (a 500 and a stack trace in the log) after a second of CPU.
 */
export const MAX_PAYLOAD_DEPTH = 8;

/** A payload nested deeper than MAX_PAYLOAD_DEPTH, refused before validation. */
export class PayloadTooDeepError extends Error {
  constructor() {
    super(`a payload may nest arrays and objects at most ${MAX_PAYLOAD_DEPTH} deep`);
    this.name = 'PayloadTooDeepError';
  }
}

/**
 * True when `value` nests arrays and objects more than `maxDepth` deep (an empty array or
 * object is depth 1). Iterative, so no input can overflow the stack, and it gives up at the
 * first container beyond the limit.
 */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const pending: object[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const container = pending.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) return true;
    const children: unknown[] = Array.isArray(container) ? container : Object.values(container);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        pending.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
