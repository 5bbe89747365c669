import { assertDistinctPaths, normalizeMountPath, parsePathList, pathConflicts } from './mount-paths.js';

describe('normalizeMountPath', () => {
  it.each([
    ['chat', '/chat'],
    ['/chat/', '/chat'],
    ['//a//b/', '/a/b'],
    ['', '/'],
    [' /x ', '/x'],
  ])('turns %p into %p', (given, expected) => {
    expect(normalizeMountPath(given, 'X')).toBe(expected);
  });

  it.each(['/rooms/:id', '/a*', '/a?b', '/a b', '/{x}', '/é'])('refuses %p, naming the option', (given) => {
    expect(() => normalizeMountPath(given, 'CHAT_PAGE_PATH')).toThrow(/^CHAT_PAGE_PATH: .* is not a path/);
  });
});

describe('parsePathList', () => {
  it('reads a comma list, normalising each path and dropping repeats and empty items', () => {
    expect(parsePathList('/chat, chat/ ,/chat2,,', 'CHAT_JSON_PATHS')).toEqual(['/chat', '/chat2']);
  });

  it('takes an array of paths', () => {
    expect(parsePathList(['/', 'echo', '/echo/'], 'paths')).toEqual(['/', '/echo']);
  });

  it('needs at least one path', () => {
    expect(() => parsePathList(' , ', 'ECHO_PATHS')).toThrow('ECHO_PATHS: give at least one path');
    expect(() => parsePathList([], 'paths.json')).toThrow('paths.json: give at least one path');
  });
});

describe('pathConflicts', () => {
  it('names both owners of a path served by two protocols', () => {
    const groups = [
      { name: 'CHAT_JSON_PATHS', paths: ['/chat', '/live'] },
      { name: 'CHAT_TEXT_PATHS', paths: ['/'] },
      { name: 'ECHO_PATHS', paths: ['/echo', '/live'] },
    ];
    expect(pathConflicts(groups)).toEqual(['path "/live" is given to both CHAT_JSON_PATHS and ECHO_PATHS']);
    expect(() => assertDistinctPaths(groups)).toThrow(/"\/live" is given to both CHAT_JSON_PATHS and ECHO_PATHS/);
  });

  it('finds nothing when every path has one owner', () => {
    expect(
      pathConflicts([
        { name: 'a', paths: ['/a'] },
        { name: 'b', paths: ['/b', '/'] },
      ]),
    ).toEqual([]);
  });
});
