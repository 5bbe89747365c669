/** Frame opcodes (RFC 6455 section 5.2). */
export const Opcode = {
    CONTINUATION: 0x0,
    TEXT: 0x1,
    BINARY: 0x2,
    CLOSE: 0x8,
    PING: 0x9,
    PONG: 0xa,
};
/** Connection states, numbered like the browser WebSocket and `ws`. */
export const ReadyState = {
    CONNECTING: 0,
    OPEN: 1,
    CLOSING: 2,
    CLOSED: 3,
};
/** Close status codes (RFC 6455 section 7.4.1 and the IANA registry). */
export const CloseCode = {
    NORMAL: 1000,
    GOING_AWAY: 1001,
    PROTOCOL_ERROR: 1002,
    UNSUPPORTED_DATA: 1003,
    NO_STATUS: 1005,
    ABNORMAL: 1006,
    INVALID_PAYLOAD: 1007,
    POLICY_VIOLATION: 1008,
    MESSAGE_TOO_BIG: 1009,
    MANDATORY_EXTENSION: 1010,
    INTERNAL_ERROR: 1011,
    SERVICE_RESTART: 1012,
    TRY_AGAIN_LATER: 1013,
    BAD_GATEWAY: 1014,
};
/** Appended to Sec-WebSocket-Key before hashing (RFC 6455 section 1.3). */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** The only protocol version this server speaks (RFC 6455 section 4.1). */
export const SUPPORTED_VERSION = 13;
/** Control frames carry at most 125 bytes of payload (RFC 6455 section 5.5). */
export const MAX_CONTROL_PAYLOAD = 125;
export const DEFAULT_MAX_PAYLOAD = 1_048_576;
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
export const DEFAULT_SEND_BUFFER_LIMIT = 4_194_304;
export const EMPTY_BUFFER = Buffer.alloc(0);
//# sourceMappingURL=constants.js.map