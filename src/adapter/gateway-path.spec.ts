import 'reflect-metadata';
import { normalizePath } from '@nestjs/common/internal';
import { normalizeGatewayPath } from './gateway-path.js';

describe('normalizeGatewayPath', () => {
  it.each([
    [undefined, '/'],
    ['', '/'],
    ['/', '/'],
    ['//', '/'],
    ['chat', '/chat'],
    ['/chat', '/chat'],
    ['/chat/', '/chat'],
    ['/chat///', '/chat'],
    ['//chat//rooms/', '/chat/rooms'],
    ['a/b', '/a/b'],
  ])('turns %p into %p', (path, expected) => {
    expect(normalizeGatewayPath(path)).toBe(expected);
  });

  it('agrees with the normalisation of @nestjs/platform-ws', () => {
    for (const path of ['x', '/x/', '//x//y//', '/', 'a//b', '///']) {
      expect(normalizeGatewayPath(path)).toBe(normalizePath(path));
    }
  });
});
