import { fileURLToPath } from 'node:url';

/** The target process running one instance of the real service (createApp from its environment). */
export const CHAT_TARGET = fileURLToPath(new URL('../targets/chat-target.js', import.meta.url));
/** How long an instance may take to listen, and to exit once told to. */
export const START_TIMEOUT_MS = 30_000;
export const EXIT_TIMEOUT_MS = 10_000;
/** How often a waiting scenario updates its progress line. */
export const PROGRESS_EVERY_MS = 250;
