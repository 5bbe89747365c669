import http from 'node:http';
import { httpServerOptions, tightenHeadTimeout } from './http-limits.js';

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
    expect(httpServerOptions({ maxHeaderBytes: 1024, handshakeTimeoutMs: 120_000 }).connectionsCheckingInterval).toBe(
      1000,
    );
  });

  it('never sets a request timeout below the head timeout (Node refuses that)', () => {
    const options = httpServerOptions({ maxHeaderBytes: 1024, handshakeTimeoutMs: 60_000 });
    expect(options.requestTimeout).toBe(60_000);
    expect(() => http.createServer(options).close()).not.toThrow();
  });
});

describe('tightenHeadTimeout', () => {
  it("lowers a server's head timeout and its checking interval before it listens", () => {
    const server = http.createServer();
    tightenHeadTimeout(server, 2000);
    expect(server.headersTimeout).toBe(2000);
    expect((server as unknown as { connectionsCheckingInterval: number }).connectionsCheckingInterval).toBe(200);
  });

  it('never raises a stricter timeout', () => {
    const server = http.createServer({ headersTimeout: 100, requestTimeout: 100 });
    tightenHeadTimeout(server, 2000);
    expect([server.headersTimeout, server.requestTimeout]).toEqual([100, 100]);
  });

  it('leaves the request timeout as it is (Node applies both at every check)', () => {
    const server = http.createServer({ headersTimeout: 5000, requestTimeout: 5000 });
    tightenHeadTimeout(server, 2000);
    expect([server.headersTimeout, server.requestTimeout]).toEqual([2000, 5000]);
  });
});
