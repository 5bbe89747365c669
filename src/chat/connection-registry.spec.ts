import type { ChatSocket } from './chat-socket.js';
import { ConnectionRegistry } from './connection-registry.js';

function socket(): ChatSocket {
  return { readyState: 1, send: () => undefined, close: () => undefined, on: () => undefined };
}

function register(registry: ConnectionRegistry, name: string, kind: 'json' | 'text' = 'json') {
  const s = socket();
  return { socket: s, connection: registry.register(s, { id: name, name, remoteAddress: '127.0.0.1:1', kind }) };
}

describe('ConnectionRegistry', () => {
  let registry: ConnectionRegistry;
  beforeEach(() => (registry = new ConnectionRegistry()));

  it('knows each connection by its socket, with its id, name, address and protocol', () => {
    const { socket: s, connection } = register(registry, 'ann', 'text');
    expect(registry.find(s)).toBe(connection);
    expect(connection).toMatchObject({ id: 'ann', name: 'ann', remoteAddress: '127.0.0.1:1', kind: 'text' });
    expect(registry.find(socket())).toBeUndefined();
    expect(() => registry.register(s, { id: 'x', name: 'x', remoteAddress: '', kind: 'json' })).toThrow();
  });

  it('tracks members per room and rooms per connection', () => {
    const ann = register(registry, 'ann').connection;
    const bob = register(registry, 'bob').connection;
    expect(registry.join(ann, 'lobby')).toBeDefined();
    expect(registry.join(ann, 'lobby')).toBeUndefined();
    registry.join(bob, 'lobby');
    registry.join(bob, 'dev');
    expect(registry.memberNames('lobby')).toEqual(['ann', 'bob']);
    expect(registry.memberNames('lobby', 1)).toEqual(['ann']);
    expect(registry.memberCount('dev')).toBe(1);
    expect([...bob.rooms.keys()]).toEqual(['lobby', 'dev']);
    expect(registry.roomSummaries()).toEqual([
      { room: 'dev', members: 1 },
      { room: 'lobby', members: 2 },
    ]);
  });

  it('removes an empty room', () => {
    const ann = register(registry, 'ann').connection;
    registry.join(ann, 'lobby');
    expect(registry.leave(ann, 'lobby')).toBe(true);
    expect(registry.leave(ann, 'lobby')).toBe(false);
    expect(registry.membersOf('lobby')).toBeUndefined();
    expect(registry.roomCount).toBe(0);
  });

  it('on unregister, forgets the connection and says which rooms it left', () => {
    const { socket: s, connection } = register(registry, 'ann');
    const bob = register(registry, 'bob').connection;
    registry.join(connection, 'a');
    registry.join(connection, 'b');
    registry.join(bob, 'b');
    expect(registry.unregister(s)).toEqual({ connection, rooms: ['a', 'b'] });
    expect(registry.unregister(s)).toBeUndefined();
    expect(registry.find(s)).toBeUndefined();
    expect(connection.rooms.size).toBe(0);
    expect(registry.memberNames('b')).toEqual(['bob']);
    expect(registry.membersOf('a')).toBeUndefined();
  });

  it('is empty again after 10k connect/join/disconnect cycles', () => {
    const rooms = ['lobby', 'dev', 'random', 'ops'];
    const open: ChatSocket[] = [];
    for (let i = 0; i < 10_000; i++) {
      const { socket: s, connection } = register(registry, `user-${i}`, i % 3 === 0 ? 'text' : 'json');
      registry.join(connection, rooms[i % rooms.length]);
      registry.join(connection, rooms[(i + 1) % rooms.length]);
      if (i % 5 === 0) registry.leave(connection, rooms[i % rooms.length]);
      open.push(s);
      // Disconnect in an order different from the connect order.
      if (open.length === 7) for (const gone of open.splice(0).reverse()) registry.unregister(gone);
    }
    for (const gone of open) registry.unregister(gone);
    expect(registry.connectionCount).toBe(0);
    expect(registry.roomCount).toBe(0);
    expect(registry.roomSummaries()).toEqual([]);
    for (const room of rooms) expect(registry.membersOf(room)).toBeUndefined();
  });
});
