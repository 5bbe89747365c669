import { isChatName, isReservedName } from '../chat/names.js';

/**
 * Why `name` cannot be a chat name, or undefined when it can. The rule is the chat's own
 * (src/chat/names.ts), so a token cannot carry a name a client could not choose.
 */
export function tokenNameProblem(name: unknown, maxLength: number): string | undefined {
  if (typeof name !== 'string') return 'the name claim is not a string';
  // Read before the check: isChatName narrows a refused value to never.
  const { length } = name;
  if (isChatName(name, maxLength)) {
    return isReservedName(name)
      ? 'the token name is shaped like a peer address, which only plain-text clients are named by'
      : undefined;
  }
  if (length === 0) return 'the token name is empty';
  if (length > maxLength) return `the token name is longer than ${maxLength} characters`;
  return 'the token name holds control, invisible or direction characters, or spaces at either end';
}
