import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeepAliveConnections } from './keep-alive.js';

describe('KeepAliveConnections', () => {
  it('sets the idle timeout Node announces as Keep-Alive: timeout', () => {
    const server = http.createServer();
    new KeepAliveConnections(7000).configure(server);
    expect(server.keepAliveTimeout).toBe(7000);
  });

  it('tells a response in flight, and every later one, to close the connection once draining', async () => {
    const keepAlive = new KeepAliveConnections(5000);
    const held: http.ServerResponse[] = [];
    const server = http.createServer(
      keepAlive.wrap((_request, response) => {
        held.push(response);
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true });
    const get = () =>
      new Promise<http.IncomingMessage>((resolve, reject) => {
        http.get({ port, host: '127.0.0.1', agent }, resolve).on('error', reject);
      });
    try {
      const answer = get();
      while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      keepAlive.drain(undefined);
      expect(keepAlive.isDraining).toBe(true);
      held[0].end('in flight');
      expect((await answer).headers.connection).toBe('close');
      const later = get();
      while (held.length === 1) await new Promise((resolve) => setTimeout(resolve, 5));
      held[1].end('later');
      expect((await later).headers.connection).toBe('close');
    } finally {
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
