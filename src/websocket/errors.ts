import { CloseCode } from './constants.js';

/** What the table says about one machine code. */
interface ErrorRule {
  /** What we tell the peer (RFC 6455 section 7.4.1). */
  readonly closeCode: number;
  /**
   * Sending itself failed: what waits in the send queue is dropped instead of written before
   * the close frame (messages queued before a peer's error still go out).
   */
  readonly dropsSendQueue?: true;
}

/**
 * Every way a peer can break the protocol (or we fail to serve it), with the close code each
 * one maps to. Read this table against RFC 6455 section 7.4.1: 1002 for framing violations,
 * 1007 for payload data that does not match the message type, 1009 for messages over our size
 * limit, 1013 for a peer too slow to keep up with what we send it.
 */
const ERROR_RULES = {
  WS_ERR_INVALID_OPCODE: { closeCode: CloseCode.PROTOCOL_ERROR },
  WS_ERR_UNEXPECTED_RSV: { closeCode: CloseCode.PROTOCOL_ERROR },
  WS_ERR_EXPECTED_MASK: { closeCode: CloseCode.PROTOCOL_ERROR },
  WS_ERR_UNEXPECTED_MASK: { closeCode: CloseCode.PROTOCOL_ERROR },
  WS_ERR_EXPECTED_FIN: { closeCode: CloseCode.PROTOCOL_ERROR },
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: { closeCode: CloseCode.PROTOCOL_ERROR },
  WS_ERR_UNEXPECTED_CONTINUATION: { closeCode: CloseCode.PROTOCOL_ERROR },
  WS_ERR_EXPECTED_CONTINUATION: { closeCode: CloseCode.PROTOCOL_ERROR },
  WS_ERR_INVALID_PAYLOAD_LENGTH: { closeCode: CloseCode.PROTOCOL_ERROR },
  WS_ERR_INVALID_CLOSE_PAYLOAD_LENGTH: { closeCode: CloseCode.PROTOCOL_ERROR },
  WS_ERR_INVALID_CLOSE_CODE: { closeCode: CloseCode.PROTOCOL_ERROR },
  WS_ERR_INVALID_UTF8: { closeCode: CloseCode.INVALID_PAYLOAD },
  WS_ERR_UNSUPPORTED_PAYLOAD_LENGTH: { closeCode: CloseCode.MESSAGE_TOO_BIG },
  WS_ERR_MESSAGE_TOO_BIG: { closeCode: CloseCode.MESSAGE_TOO_BIG },
  WS_ERR_SEND_BUFFER_FULL: { closeCode: CloseCode.TRY_AGAIN_LATER, dropsSendQueue: true },
  // permessage-deflate (RFC 7692): data that does not inflate is not what the message claims
  // to be (1007); a decompressed message over the limit is too big (WS_ERR_MESSAGE_TOO_BIG);
  // a compressor failure is ours (1011).
  WS_ERR_INVALID_COMPRESSED_DATA: { closeCode: CloseCode.INVALID_PAYLOAD },
  WS_ERR_COMPRESSION_FAILED: { closeCode: CloseCode.INTERNAL_ERROR, dropsSendQueue: true },
} as const satisfies Record<string, ErrorRule>;

export type WebSocketErrorCode = keyof typeof ERROR_RULES;

/** The close code column of the table. */
export const ERROR_CLOSE_CODES = Object.fromEntries(
  Object.entries(ERROR_RULES).map(([code, rule]) => [code, rule.closeCode]),
) as Readonly<Record<WebSocketErrorCode, number>>;

/** A protocol failure: `code` says what went wrong, `closeCode` what we tell the peer. */
export class WebSocketError extends Error {
  readonly code: WebSocketErrorCode;
  readonly closeCode: number;
  /** Whether the connection drops what waits to be sent (the table's rule for `code`). */
  readonly dropsSendQueue: boolean;

  constructor(code: WebSocketErrorCode, message: string) {
    super(message);
    this.name = 'WebSocketError';
    this.code = code;
    const rule: ErrorRule = ERROR_RULES[code];
    this.closeCode = rule.closeCode;
    this.dropsSendQueue = rule.dropsSendQueue === true;
  }
}

/** The one factory every layer uses, so a code always carries its close code. */
export function protocolError(code: WebSocketErrorCode, message: string): WebSocketError {
  return new WebSocketError(code, message);
}

/**
 * Thrown from `authorize` (or anything else before the upgrade) to refuse a handshake with a
 * specific HTTP status, e.g. `throw new HandshakeRejection(403, 'Banned')`.
 */
export class HandshakeRejection extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(status: number, message?: string, headers?: Record<string, string>) {
    super(message ?? `Handshake rejected with ${status}`);
    this.name = 'HandshakeRejection';
    this.status = status;
    this.headers = headers ?? {};
  }
}
