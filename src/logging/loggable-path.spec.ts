import { loggablePath, MAX_LOGGED_PATH, peerOf } from './loggable-path.js';

describe('loggablePath', () => {
  it.each([
    ['/chat?access_token=secret', '/chat'],
    ['/chat#x', '/chat'],
    ['/chat', '/chat'],
    ['/?token=a?b', '/'],
    ['', '/'],
    [undefined, '/'],
  ])('turns %p into %p', (url, expected) => {
    expect(loggablePath(url)).toBe(expected);
  });

  it('cuts very long paths', () => {
    const logged = loggablePath(`/${'a'.repeat(10_000)}?q=1`);
    expect(logged.length).toBe(MAX_LOGGED_PATH + 3);
    expect(logged.endsWith('...')).toBe(true);
  });
});

describe('peerOf', () => {
  it('writes address and port, with brackets for IPv6', () => {
    expect(peerOf('127.0.0.1', 5000)).toBe('127.0.0.1:5000');
    expect(peerOf('::1', 5000)).toBe('[::1]:5000');
    expect(peerOf(undefined, undefined)).toBe('unknown');
  });
});
