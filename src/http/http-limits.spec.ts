import http from 'node:http';
import { httpServerOptions } from './http-limits.js';

describe('httpServerOptions', () => {
  it('passes the header limit and the handshake timeout to Node', () => {
    expect(httpServerOptions({ maxHeaderBytes: 16_384, handshakeTimeoutMs: 10_000 })).toEqual({
      maxHeaderSize: 16_384,
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      connectionsCheckingInterval: 1000,
    });
  });

  it('checks for expired heads ten times per timeout, between 50 ms and 1 s', () => {
    expect(httpServerOptions({ maxHeaderBytes: 1024, handshakeTimeoutMs: 1000 }).connectionsCheckingInterval).toBe(100);
    expect(httpServerOptions({ maxHeaderBytes: 1024, handshakeTimeoutMs: 100 }).connectionsCheckingInterval).toBe(50);
    expect(httpServerOptions({ maxHeaderBytes: 1024, handshakeTimeoutMs: 120_000 }).connectionsCheckingInterval).toBe(1000);
  });

  it('never sets a request timeout below the head timeout (Node refuses that)', () => {
    const options = httpServerOptions({ maxHeaderBytes: 1024, handshakeTimeoutMs: 60_000 });
    expect(options.requestTimeout).toBe(60_000);
    expect(() => http.createServer(options).close()).not.toThrow();
  });
});
