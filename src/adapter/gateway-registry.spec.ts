import { GatewayRegistry } from './gateway-registry.js';

describe('GatewayRegistry', () => {
  it('finds a server by port and path', () => {
    const registry = new GatewayRegistry<string>();
    registry.add(0, '/chat', 'chat');
    registry.add(0, '/echo', 'echo');
    registry.add(8080, '/chat', 'other-port');
    expect(registry.get(0, '/chat')).toBe('chat');
    expect(registry.get(0, '/echo')).toBe('echo');
    expect(registry.get(8080, '/chat')).toBe('other-port');
    expect(registry.get(0, '/missing')).toBeUndefined();
    expect(registry.get(8080, '/echo')).toBeUndefined();
  });

  it('refuses a second server on the same port and path, naming both', () => {
    const registry = new GatewayRegistry<string>();
    registry.add(0, '/chat', 'first');
    expect(() => registry.add(0, '/chat', 'second')).toThrow('port 0 and path "/chat"');
    expect(registry.get(0, '/chat')).toBe('first');
  });

  it('removes a server and reports where it was', () => {
    const registry = new GatewayRegistry<string>();
    registry.add(0, '/a', 'a');
    registry.add(0, '/b', 'b');
    expect(registry.remove('a')).toEqual({ port: 0, path: '/a' });
    expect(registry.get(0, '/a')).toBeUndefined();
    expect(registry.get(0, '/b')).toBe('b');
    expect(registry.servers()).toEqual(['b']);
    expect(() => registry.assertFree(0, '/a')).not.toThrow();
  });

  it('frees a place once its server is removed', () => {
    const registry = new GatewayRegistry<string>();
    registry.add(9000, '/', 'only');
    registry.remove('only');
    expect(registry.servers()).toEqual([]);
    registry.add(9000, '/', 'again');
    expect(registry.get(9000, '/')).toBe('again');
  });

  it('ignores the removal of an unknown server', () => {
    const registry = new GatewayRegistry<string>();
    expect(registry.remove('never added')).toBeUndefined();
  });

  it('lists every server with its place', () => {
    const registry = new GatewayRegistry<string>();
    registry.add(0, '/a', 'a');
    registry.add(9000, '/', 'b');
    expect(registry.entries()).toEqual([
      { port: 0, path: '/a', server: 'a' },
      { port: 9000, path: '/', server: 'b' },
    ]);
    registry.remove('a');
    expect(registry.entries()).toEqual([{ port: 9000, path: '/', server: 'b' }]);
  });

  it('clears everything', () => {
    const registry = new GatewayRegistry<string>();
    registry.add(0, '/a', 'a');
    registry.add(1, '/b', 'b');
    registry.clear();
    expect(registry.servers()).toEqual([]);
    expect(registry.get(0, '/a')).toBeUndefined();
    expect(() => registry.add(1, '/b', 'b again')).not.toThrow();
  });
});
