import { ChatError } from './chat-error.js';
import { resolveChatOptions, type ChatRuntimeOptions } from './chat-options.js';
import { isAnonymousPrincipal, principalOf, restPrincipal, RoomAccess } from './room-access.js';

const access = (options: ChatRuntimeOptions) => new RoomAccess(resolveChatOptions(options));

/** What a call throws, as a rejection (the hooks may answer synchronously). */
const outcome = (run: () => unknown) => Promise.resolve().then(run);

describe('RoomAccess', () => {
  it('allows everything without hooks, synchronously', () => {
    const open = access({});
    expect(open.mayJoin(undefined, 'any')).toBe(true);
    expect(open.mayPost(undefined, 'any')).toBe(true);
    expect(open.requireJoin(undefined, 'any')).toBeUndefined();
    expect(open.requirePost(undefined, 'any')).toBeUndefined();
  });

  it('builds no principal for a connection when no hook will see it', () => {
    const connection = {
      id: 'c-1',
      name: 'Ann',
      remoteAddress: 'a',
      kind: 'json' as const,
      get principal(): unknown {
        throw new Error('read the principal');
      },
    };
    expect(access({}).requireJoinOf(connection, 'r')).toBeUndefined();
    expect(access({}).requirePostOf(connection, 'r')).toBeUndefined();
    expect(() => access({ canPost: () => true }).requirePostOf(connection, 'r')).toThrow('read the principal');
  });

  it('asks the hooks with the principal and the room', () => {
    const calls: unknown[] = [];
    const hooks = access({
      canJoin: (principal, room) => (calls.push(['join', principal, room]), room === 'open'),
      canPost: (principal, room) => (calls.push(['post', principal, room]), false),
    });
    const principal = { sub: 'u-1' };
    expect(hooks.mayJoin(principal, 'open')).toBe(true);
    expect(hooks.mayJoin(principal, 'closed')).toBe(false);
    expect(hooks.mayPost(principal, 'open')).toBe(false);
    expect(calls).toEqual([
      ['join', principal, 'open'],
      ['join', principal, 'closed'],
      ['post', principal, 'open'],
    ]);
  });

  it('refuses with forbidden, naming the room', async () => {
    const closed = access({ canJoin: () => false, canPost: () => false });
    expect(() => closed.requireJoin({}, 'vault')).toThrow(ChatError);
    await expect(outcome(() => closed.requireJoin({}, 'vault'))).rejects.toMatchObject({
      code: 'forbidden',
      message: 'you may not join room "vault"',
    });
    await expect(outcome(() => closed.requirePost({}, 'vault'))).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('takes only an answer of exactly true as a yes (fails closed)', () => {
    const sloppy = access({ canJoin: () => 'yes' as unknown as boolean, canPost: () => 1 as unknown as boolean });
    expect(sloppy.mayJoin({}, 'r')).toBe(false);
    expect(sloppy.mayPost({}, 'r')).toBe(false);
  });

  it('waits for asynchronous hooks', async () => {
    const later = access({
      canJoin: async (_p, room) => room === 'open',
      canPost: async () => 'true' as unknown as boolean,
    });
    await expect(later.requireJoin({}, 'open')).resolves.toBeUndefined();
    await expect(later.requireJoin({}, 'closed')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(later.mayPost({}, 'open')).resolves.toBe(false);
  });

  it('lets a failing hook fail the request', async () => {
    const broken = access({
      canJoin: () => {
        throw new Error('directory down');
      },
      canPost: () => Promise.reject(new Error('directory down')),
    });
    expect(() => broken.mayJoin({}, 'r')).toThrow('directory down');
    await expect(broken.requirePost({}, 'r')).rejects.toThrow('directory down');
  });

  it('refuses options that are not functions', () => {
    expect(() => resolveChatOptions({ canJoin: 'admins' as never })).toThrow(/canJoin must be a function/);
  });
});

describe('principals', () => {
  it('of an authenticated connection is what authorize returned', () => {
    const principal = { sub: 'u-1', roles: ['admin'] };
    expect(principalOf({ id: 'c-1', name: 'Ann', remoteAddress: '10.0.0.1:5', kind: 'json', principal })).toBe(
      principal,
    );
  });

  it('of an anonymous connection carries its id, name, address and protocol', () => {
    const principal = principalOf({
      id: 'c-1',
      name: 'Ann',
      remoteAddress: '10.0.0.1:5',
      kind: 'text',
      principal: undefined,
    });
    expect(principal).toEqual({ anonymous: true, id: 'c-1', name: 'Ann', address: '10.0.0.1:5', protocol: 'text' });
    expect(isAnonymousPrincipal(principal)).toBe(true);
    // `authorize: () => true` admits a client without saying who it is.
    expect(principalOf({ id: 'c-2', name: 'Bo', remoteAddress: 'b', kind: 'json', principal: true })).toMatchObject({
      anonymous: true,
      id: 'c-2',
    });
    expect(isAnonymousPrincipal({ sub: 'x' })).toBe(false);
  });

  it('of a REST request is request.principal, or an anonymous one with the api id', () => {
    const principal = { sub: 'u-1' };
    expect(restPrincipal({ principal, ip: '10.0.0.2' }, 'Ann')).toBe(principal);
    expect(restPrincipal({ ip: '10.0.0.2' }, 'Ann')).toEqual({
      anonymous: true,
      id: 'api',
      name: 'Ann',
      address: '10.0.0.2',
      protocol: 'rest',
    });
    expect(restPrincipal({ socket: { remoteAddress: '::1' } })).toMatchObject({ address: '::1', name: undefined });
  });
});
