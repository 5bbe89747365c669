import * as api from './index.js';

describe('public API (index)', () => {
  it('exports the classes and functions other modules code against', () => {
    expect(typeof api.WebSocketServer).toBe('function');
    expect(typeof api.WebSocketConnection).toBe('function');
    expect(typeof api.UpgradeRouter.for).toBe('function');
    expect(typeof api.HandshakeRejection).toBe('function');
    expect(typeof api.prepareFrame).toBe('function');
  });

  it('exports the protocol constants as plain objects', () => {
    expect(api.Opcode).toEqual({ CONTINUATION: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 });
    expect(api.ReadyState).toEqual({ CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
    expect(api.CloseCode).toEqual({
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
    });
  });

  it('prepares a frame once for many sockets', () => {
    const frame = api.prepareFrame('Hello');
    expect(frame.opcode).toBe(api.Opcode.TEXT);
    expect(frame.bytes.toString('hex')).toBe('810548656c6c6f');
  });
});
