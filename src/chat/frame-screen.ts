import { exceedsJsonDepth } from '../adapter/index.js';
import { refOf, type ChatErrorPayload } from './chat-error.js';
import { MAX_PAYLOAD_DEPTH } from './dto/payload-depth.js';

const PREFIX = Buffer.from('{"event":"');
const QUOTE = 0x22;
const COMMA = 0x2c;
const CLOSING_BRACE = 0x7d;
/** The `{event, data}` envelope around a payload. */
export const MAX_FRAME_DEPTH = MAX_PAYLOAD_DEPTH + 1;

/**
 * Finds the frames of the JSON protocol that no handler will answer: not a JSON object with a
 * string `event`, or an event nobody subscribed to. The adapter drops those silently (as
 * `@nestjs/platform-ws` does); the chat answers them with an `error` event instead, and holds
 * them back from the adapter (message-gate.ts), so that answer is the frame's only one.
 *
 * Frames nested deeper than MAX_FRAME_DEPTH are answered here too (`invalid_payload`), found
 * by a byte scan before anything parses them, wherever the nesting is (`data` or another key).
 */
export class FrameScreen {
  private readonly known: ReadonlySet<string>;
  private readonly prefixes: Buffer[];

  constructor(events: Iterable<string>) {
    this.known = new Set(events);
    this.prefixes = [...this.known].map((event) => Buffer.concat([PREFIX, Buffer.from(event), Buffer.of(QUOTE)]));
  }

  /** The error to answer with, or null when a handler will take the frame. */
  check(frame: Buffer): ChatErrorPayload | null {
    if (exceedsJsonDepth(frame, MAX_FRAME_DEPTH)) {
      return {
        code: 'invalid_payload',
        message: `a frame may nest arrays and objects at most ${MAX_FRAME_DEPTH} deep`,
      };
    }
    // Clients that serialise {event, data} in that order (JSON.stringify does) start with
    // `{"event":"<name>"`: recognised without parsing the frame a second time.
    for (const prefix of this.prefixes) {
      if (frame.length > prefix.length && startsWith(frame, prefix)) {
        const next = frame[prefix.length];
        if (next === COMMA || next === CLOSING_BRACE) return null;
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(frame.toString('utf8'));
    } catch {
      return invalid();
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return invalid();
    const { event, data } = parsed as { event?: unknown; data?: unknown };
    if (typeof event !== 'string') return invalid();
    if (this.known.has(event)) return null;
    const error: ChatErrorPayload = {
      code: 'unknown_event',
      message: `unknown event ${JSON.stringify(event.slice(0, 64))}; expected one of ${[...this.known].join(', ')}`,
    };
    const ref = refOf(data);
    if (ref !== undefined) error.ref = ref;
    return error;
  }
}

function startsWith(frame: Buffer, prefix: Buffer): boolean {
  for (let i = 0; i < prefix.length; i++) if (frame[i] !== prefix[i]) return false;
  return true;
}

function invalid(): ChatErrorPayload {
  return {
    code: 'invalid_payload',
    message: 'every frame must be a JSON object {"event": string, "data": ...}',
  };
}
