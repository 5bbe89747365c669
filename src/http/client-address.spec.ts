import type { IncomingMessage } from 'node:http';
import { clientAddress, clientAddressResolver, rememberClientAddress, trustFunctionOf } from './client-address.js';

function request(peer: string | undefined, forwardedFor?: string, port = 50_212): IncomingMessage {
  const headers = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
  return { headers, socket: { remoteAddress: peer, remotePort: port } } as unknown as IncomingMessage;
}

describe('trustFunctionOf', () => {
  it('trusts nothing when off', () => {
    expect(trustFunctionOf(false)).toBeUndefined();
    expect(trustFunctionOf(0)).toBeUndefined();
    expect(trustFunctionOf([])).toBeUndefined();
  });

  it('refuses an address that is not one', () => {
    expect(() => trustFunctionOf(['10.0.0.0/8', 'not-an-address'])).toThrow(/not-an-address/);
    expect(() => trustFunctionOf(1.5)).toThrow(RangeError);
  });
});

describe('rememberClientAddress / clientAddress', () => {
  it('is the socket peer, with its port, when nothing is trusted', () => {
    const req = request('203.0.113.7', '198.51.100.1');
    expect(rememberClientAddress(req, trustFunctionOf(false))).toEqual({
      address: '203.0.113.7',
      port: 50_212,
      forwarded: false,
      socketAddress: '203.0.113.7',
    });
    expect(clientAddress(req).address).toBe('203.0.113.7');
  });

  it('takes the address the trusted proxy added, without a port, with one hop', () => {
    // The client wrote its own X-Forwarded-For; nginx appended the real peer.
    const req = request('172.18.0.5', '6.6.6.6, 198.51.100.23');
    expect(rememberClientAddress(req, trustFunctionOf(1))).toEqual({
      address: '198.51.100.23',
      port: undefined,
      forwarded: true,
      socketAddress: '172.18.0.5',
    });
    expect(clientAddress(req).address).toBe('198.51.100.23');
  });

  it('walks as far as the listed proxies vouch, and no further', () => {
    const trust = trustFunctionOf(['172.16.0.0/12', '10.1.2.3']);
    expect(rememberClientAddress(request('172.18.0.5', '6.6.6.6, 198.51.100.23, 10.1.2.3'), trust).address).toBe(
      '198.51.100.23',
    );
    // A peer that is not a listed proxy is the client, whatever it claims.
    expect(rememberClientAddress(request('198.51.100.99', '10.9.9.9'), trust)).toMatchObject({
      address: '198.51.100.99',
      forwarded: false,
    });
  });

  it('never takes a forwarded entry that is not an IP address', () => {
    const req = request('172.18.0.5', 'admin say: hi, <b>, 198.51.100.23');
    expect(rememberClientAddress(req, trustFunctionOf(3)).address).toBe('198.51.100.23');
    expect(rememberClientAddress(request('172.18.0.5', 'evil'), trustFunctionOf(2)).address).toBe('172.18.0.5');
  });

  it('keeps IPv6 addresses', () => {
    const req = request('::1', '2001:db8::7');
    expect(rememberClientAddress(req, trustFunctionOf(['loopback'])).address).toBe('2001:db8::7');
  });

  it('falls back to Express request.ip for HTTP requests, and to the socket otherwise', () => {
    const viaExpress = Object.assign(request('172.18.0.5', '198.51.100.23'), { ip: '198.51.100.23' });
    expect(clientAddress(viaExpress)).toMatchObject({ address: '198.51.100.23', port: undefined, forwarded: true });
    expect(clientAddress(request('192.0.2.1', '198.51.100.23'))).toMatchObject({ address: '192.0.2.1', port: 50_212 });
  });
});

describe('clientAddressResolver', () => {
  it('is none when nothing is trusted', () => {
    expect(clientAddressResolver(false)).toBeUndefined();
    expect(clientAddressResolver([])).toBeUndefined();
  });

  it('remembers the forwarded client of a request for clientAddress', () => {
    const req = request('172.18.0.5', '198.51.100.23');
    clientAddressResolver(1)!(req);
    expect(clientAddress(req)).toMatchObject({ address: '198.51.100.23', forwarded: true });
  });
});
