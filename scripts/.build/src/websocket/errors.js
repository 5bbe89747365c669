import { CloseCode } from './constants.js';
/**
 * Machine codes for every way a peer can break the protocol, with the close code each one maps
 * to. Read this table against RFC 6455 section 7.4.1: 1002 for framing violations, 1007 for
 * payload data that does not match the message type, 1009 for messages over our size limit,
 * 1013 for a peer too slow to keep up with what we send it.
 */
export const ERROR_CLOSE_CODES = {
    WS_ERR_INVALID_OPCODE: CloseCode.PROTOCOL_ERROR,
    WS_ERR_UNEXPECTED_RSV: CloseCode.PROTOCOL_ERROR,
    WS_ERR_EXPECTED_MASK: CloseCode.PROTOCOL_ERROR,
    WS_ERR_UNEXPECTED_MASK: CloseCode.PROTOCOL_ERROR,
    WS_ERR_EXPECTED_FIN: CloseCode.PROTOCOL_ERROR,
    WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: CloseCode.PROTOCOL_ERROR,
    WS_ERR_UNEXPECTED_CONTINUATION: CloseCode.PROTOCOL_ERROR,
    WS_ERR_EXPECTED_CONTINUATION: CloseCode.PROTOCOL_ERROR,
    WS_ERR_INVALID_PAYLOAD_LENGTH: CloseCode.PROTOCOL_ERROR,
    WS_ERR_INVALID_CLOSE_PAYLOAD_LENGTH: CloseCode.PROTOCOL_ERROR,
    WS_ERR_INVALID_CLOSE_CODE: CloseCode.PROTOCOL_ERROR,
    WS_ERR_INVALID_UTF8: CloseCode.INVALID_PAYLOAD,
    WS_ERR_UNSUPPORTED_PAYLOAD_LENGTH: CloseCode.MESSAGE_TOO_BIG,
    WS_ERR_MESSAGE_TOO_BIG: CloseCode.MESSAGE_TOO_BIG,
    WS_ERR_SEND_BUFFER_FULL: CloseCode.TRY_AGAIN_LATER,
    // permessage-deflate (RFC 7692): data that does not inflate is not what the message claims
    // to be (1007); a decompressed message over the limit is too big (WS_ERR_MESSAGE_TOO_BIG);
    // a compressor failure is ours (1011).
    WS_ERR_INVALID_COMPRESSED_DATA: CloseCode.INVALID_PAYLOAD,
    WS_ERR_COMPRESSION_FAILED: CloseCode.INTERNAL_ERROR,
};
/** A protocol failure: `code` says what went wrong, `closeCode` what we tell the peer. */
export class WebSocketError extends Error {
    constructor(code, message) {
        super(message);
        this.name = 'WebSocketError';
        this.code = code;
        this.closeCode = ERROR_CLOSE_CODES[code];
    }
}
/** The one factory every layer uses, so a code always carries its close code. */
export function protocolError(code, message) {
    return new WebSocketError(code, message);
}
/**
 * Thrown from `authorize` (or anything else before the upgrade) to refuse a handshake with a
 * specific HTTP status, e.g. `throw new HandshakeRejection(403, 'Banned')`.
 */
export class HandshakeRejection extends Error {
    constructor(status, message, headers) {
        super(message ?? `Handshake rejected with ${status}`);
        this.name = 'HandshakeRejection';
        this.status = status;
        this.headers = headers ?? {};
    }
}
//# sourceMappingURL=errors.js.map