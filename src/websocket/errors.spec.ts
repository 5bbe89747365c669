import { CloseCode } from './constants.js';
import { ERROR_CLOSE_CODES, HandshakeRejection, protocolError, WebSocketError } from './errors.js';

describe('errors', () => {
  it('gives every protocol error the close code of its table row', () => {
    for (const [code, closeCode] of Object.entries(ERROR_CLOSE_CODES)) {
      const error = protocolError(code as keyof typeof ERROR_CLOSE_CODES, 'test');
      expect(error).toBeInstanceOf(WebSocketError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.closeCode).toBe(closeCode);
      expect(error.message).toBe('test');
    }
  });

  it('maps framing violations to 1002, bad UTF-8 to 1007, size to 1009, slow peers to 1013', () => {
    expect(ERROR_CLOSE_CODES.WS_ERR_INVALID_OPCODE).toBe(CloseCode.PROTOCOL_ERROR);
    expect(ERROR_CLOSE_CODES.WS_ERR_EXPECTED_MASK).toBe(CloseCode.PROTOCOL_ERROR);
    expect(ERROR_CLOSE_CODES.WS_ERR_INVALID_UTF8).toBe(CloseCode.INVALID_PAYLOAD);
    expect(ERROR_CLOSE_CODES.WS_ERR_MESSAGE_TOO_BIG).toBe(CloseCode.MESSAGE_TOO_BIG);
    expect(ERROR_CLOSE_CODES.WS_ERR_SEND_BUFFER_FULL).toBe(CloseCode.TRY_AGAIN_LATER);
  });

  it('drops the send queue only for failures of sending itself', () => {
    const dropping = Object.keys(ERROR_CLOSE_CODES).filter(
      (code) => protocolError(code as keyof typeof ERROR_CLOSE_CODES, 'test').dropsSendQueue,
    );
    expect(dropping.sort()).toEqual(['WS_ERR_COMPRESSION_FAILED', 'WS_ERR_SEND_BUFFER_FULL']);
  });

  it('carries status, message and headers on a handshake rejection', () => {
    const rejection = new HandshakeRejection(403, 'Banned', { 'X-Reason': 'ban' });
    expect(rejection.status).toBe(403);
    expect(rejection.message).toBe('Banned');
    expect(rejection.headers).toEqual({ 'X-Reason': 'ban' });
    expect(new HandshakeRejection(429).headers).toEqual({});
  });
});
