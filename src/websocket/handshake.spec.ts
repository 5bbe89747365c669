import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import {
  abortHandshake,
  buildAcceptResponse,
  buildErrorResponse,
  computeAccept,
  isOriginAllowed,
  isValidKey,
  requestHeadSize,
  validateHandshake,
  type HandshakeRequest,
} from './handshake.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

function request(
  headers: Record<string, string | undefined> = {},
  overrides: Partial<HandshakeRequest> = {},
): HandshakeRequest {
  const base: Record<string, string | undefined> = {
    host: 'server.example.com',
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-key': KEY,
    'sec-websocket-version': '13',
    ...headers,
  };
  const defined = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return { method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: defined, ...overrides };
}

describe('handshake', () => {
  describe('requestHeadSize', () => {
    it('counts the request line, each header line and the empty line, in bytes', () => {
      const wire = 'GET /chat?room=a HTTP/1.1\r\nHost: x\r\nSec-WebSocket-Key: ' + KEY + '\r\n\r\n';
      const head = {
        method: 'GET',
        url: '/chat?room=a',
        httpVersion: '1.1',
        rawHeaders: ['Host', 'x', 'Sec-WebSocket-Key', KEY],
      };
      expect(requestHeadSize(head)).toBe(Buffer.byteLength(wire));
    });

    it('counts a header value of non-ASCII bytes byte for byte (Node decodes them as latin1)', () => {
      const value = Buffer.from('caf\u00e9', 'utf8').toString('latin1');
      expect(requestHeadSize({ method: 'GET', url: '/', httpVersion: '1.1', rawHeaders: ['X', value] })).toBe(
        'GET / HTTP/1.1\r\n'.length + 'X: '.length + 5 + 2 + 2,
      );
    });
  });

  describe('computeAccept', () => {
    it('computes the accept value of the RFC 6455 section 1.3 example', () => {
      expect(computeAccept(KEY)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    });
  });

  describe('isValidKey', () => {
    it.each([KEY, 'AAAAAAAAAAAAAAAAAAAAAA==', '+/+/+/+/+/+/+/+/+/+/+w=='])('accepts %s', (key) => {
      expect(isValidKey(key)).toBe(true);
    });

    it.each([
      ['empty', ''],
      ['too short (12 bytes)', 'AAAAAAAAAAAAAAAA'],
      ['too long (17 bytes)', 'AAAAAAAAAAAAAAAAAAAAAAA='],
      ['without padding', 'dGhlIHNhbXBsZSBub25jZQ'],
      ['with a non-base64 character', 'dGhlIHNhbXBsZSBub25jZ!=='],
      ['with a space inside', 'dGhlIHNhbXBsZSB ub25jZ=='],
      ['two keys joined', `${KEY}, ${KEY}`],
    ])('rejects a key that is %s', (_name, key) => {
      expect(isValidKey(key)).toBe(false);
    });
  });

  describe('validateHandshake', () => {
    it('accepts the request of RFC 6455 section 1.3', () => {
      expect(
        validateHandshake(request({ origin: 'http://example.com', 'sec-websocket-protocol': 'chat, superchat' })),
      ).toEqual({ ok: true, key: KEY, protocols: ['chat', 'superchat'], extensions: [] });
    });

    it.each<[string, Record<string, string | undefined>, Partial<HandshakeRequest>]>([
      ['Upgrade in another case', { upgrade: 'WebSocket' }, {}],
      ['Connection with several tokens', { connection: 'keep-alive, Upgrade' }, {}],
      ['HTTP/2 semantics version numbers', {}, { httpVersionMajor: 2, httpVersionMinor: 0 }],
      ['a key surrounded by spaces', { 'sec-websocket-key': `  ${KEY} ` }, {}],
    ])('accepts %s', (_name, headers, overrides) => {
      expect(validateHandshake(request(headers, overrides)).ok).toBe(true);
    });

    it('parses extension offers for a later negotiation', () => {
      const result = validateHandshake(
        request({ 'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits' }),
      );
      expect(result).toMatchObject({
        ok: true,
        extensions: [{ name: 'permessage-deflate', params: [['client_max_window_bits', true]] }],
      });
    });

    it.each<[string, number, Record<string, string | undefined>, Partial<HandshakeRequest>]>([
      ['a POST request', 400, {}, { method: 'POST' }],
      ['an HTTP/1.0 request', 400, {}, { httpVersionMinor: 0 }],
      ['a missing Upgrade header', 400, { upgrade: undefined }, {}],
      ['an Upgrade header for another protocol', 400, { upgrade: 'h2c' }, {}],
      ['a missing Connection header', 400, { connection: undefined }, {}],
      ['a Connection header without upgrade', 400, { connection: 'keep-alive' }, {}],
      ['a missing Host header', 400, { host: undefined }, {}],
      ['a missing Sec-WebSocket-Key', 400, { 'sec-websocket-key': undefined }, {}],
      ['a key of 15 bytes', 400, { 'sec-websocket-key': 'AAAAAAAAAAAAAAAAAAAA' }, {}],
      ['a key that is not base64', 400, { 'sec-websocket-key': 'not base64 at all!!!!!==' }, {}],
      ['a missing Sec-WebSocket-Version', 400, { 'sec-websocket-version': undefined }, {}],
      ['a non-numeric version', 400, { 'sec-websocket-version': 'thirteen' }, {}],
      ['version 8', 426, { 'sec-websocket-version': '8' }, {}],
      ['version 14', 426, { 'sec-websocket-version': '14' }, {}],
      ['version 0', 426, { 'sec-websocket-version': '0' }, {}],
      ['a malformed Sec-WebSocket-Protocol', 400, { 'sec-websocket-protocol': 'chat, super chat' }, {}],
      ['a repeated subprotocol', 400, { 'sec-websocket-protocol': 'chat, chat' }, {}],
      ['a malformed Sec-WebSocket-Extensions', 400, { 'sec-websocket-extensions': 'permessage-deflate; =' }, {}],
    ])('refuses %s with %i', (_name, status, headers, overrides) => {
      const result = validateHandshake(request(headers, overrides));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.status).toBe(status);
    });

    it('tells a client with another version which one we speak', () => {
      expect(validateHandshake(request({ 'sec-websocket-version': '8' }))).toMatchObject({
        ok: false,
        status: 426,
        headers: { 'Sec-WebSocket-Version': '13' },
      });
    });
  });

  describe('responses', () => {
    it('builds the 101 of RFC 6455 section 1.3', () => {
      expect(buildAcceptResponse(KEY, 'chat').toString()).toBe(
        'HTTP/1.1 101 Switching Protocols\r\n' +
          'Upgrade: websocket\r\n' +
          'Connection: Upgrade\r\n' +
          'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n' +
          'Sec-WebSocket-Protocol: chat\r\n' +
          '\r\n',
      );
    });

    it('leaves out the protocol and extensions headers when nothing was negotiated', () => {
      const response = buildAcceptResponse(KEY).toString();
      expect(response).not.toContain('Sec-WebSocket-Protocol');
      expect(response).not.toContain('Sec-WebSocket-Extensions');
    });

    it('builds a plain-text error that closes the connection', () => {
      expect(buildErrorResponse(426, 'Upgrade required', { 'Sec-WebSocket-Version': '13' })).toBe(
        'HTTP/1.1 426 Upgrade Required\r\n' +
          'Connection: close\r\n' +
          'Content-Type: text/plain; charset=utf-8\r\n' +
          'Content-Length: 16\r\n' +
          'Sec-WebSocket-Version: 13\r\n' +
          '\r\n' +
          'Upgrade required',
      );
    });

    it('counts the body length in bytes and defaults the body to the status text', () => {
      expect(buildErrorResponse(400, 'é')).toContain('Content-Length: 2\r\n');
      expect(buildErrorResponse(404)).toMatch(/\r\n\r\nNot Found$/);
    });

    it('drops header values that would split the response', () => {
      const response = buildErrorResponse(401, 'no', { 'X-Evil': 'a\r\nSet-Cookie: x=1', 'X-Ok': 'fine' });
      expect(response).not.toContain('Set-Cookie');
      expect(response).toContain('X-Ok: fine\r\n');
    });
  });

  describe('abortHandshake', () => {
    it('writes the error response, ends and destroys the socket', async () => {
      const socket = new PassThrough();
      const written: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => written.push(chunk));
      abortHandshake(socket, 403, 'Origin not allowed');
      await Promise.race([
        once(socket, 'close'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('socket was not closed')), 2000).unref()),
      ]);
      expect(Buffer.concat(written).toString()).toMatch(
        /^HTTP\/1\.1 403 Forbidden\r\n[\s\S]*\r\n\r\nOrigin not allowed$/,
      );
      expect(socket.destroyed).toBe(true);
    });

    it('just destroys a socket that can no longer be written', () => {
      const socket = new PassThrough();
      socket.end();
      abortHandshake(socket, 400);
      expect(socket.destroyed).toBe(true);
    });
  });

  describe('isOriginAllowed', () => {
    const allowed = new Set(['https://chat.example.com', 'http://localhost:3000']);

    it('allows any origin, or none, without an allow-list', () => {
      expect(isOriginAllowed('https://evil.example', new Set())).toBe(true);
      expect(isOriginAllowed(undefined, new Set())).toBe(true);
    });

    it('allows listed origins, case-insensitively and with a trailing slash', () => {
      expect(isOriginAllowed('https://chat.example.com', allowed)).toBe(true);
      expect(isOriginAllowed('HTTPS://Chat.Example.com/', allowed)).toBe(true);
    });

    it('refuses other origins and requests without Origin', () => {
      expect(isOriginAllowed('https://evil.example', allowed)).toBe(false);
      expect(isOriginAllowed('https://chat.example.com.evil.example', allowed)).toBe(false);
      expect(isOriginAllowed(undefined, allowed)).toBe(false);
    });
  });
});
