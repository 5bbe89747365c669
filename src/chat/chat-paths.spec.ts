import { resolveChatPaths } from './chat-paths.js';

describe('resolveChatPaths', () => {
  it('serves JSON on /chat, text on /, Tornado on /tornado, REST under /api and the page at / by default', () => {
    expect(resolveChatPaths()).toEqual({
      json: ['/chat'],
      text: ['/'],
      tornado: ['/tornado'],
      rest: '/api',
      page: '/',
    });
  });

  it('normalises the paths given, and takes several for each WebSocket protocol', () => {
    expect(
      resolveChatPaths({
        json: ['live', '/chat/'],
        text: '/plain,/legacy',
        tornado: ['/room/'],
        rest: 'v2/',
        page: '/ui/',
      }),
    ).toEqual({
      json: ['/live', '/chat'],
      text: ['/plain', '/legacy'],
      tornado: ['/room'],
      rest: '/v2',
      page: '/ui',
    });
  });

  it('refuses a path given to both protocols, naming both options', () => {
    expect(() => resolveChatPaths({ json: ['/chat', '/'], text: '/' })).toThrow(
      'path "/" is given to both ChatModule option paths.json and ChatModule option paths.text',
    );
  });

  it('refuses a path given to the Tornado protocol and another, naming both options', () => {
    expect(() => resolveChatPaths({ tornado: '/chat' })).toThrow(
      'path "/chat" is given to both ChatModule option paths.json and ChatModule option paths.tornado',
    );
    expect(() => resolveChatPaths({ tornado: ['/x', '/'] })).toThrow(
      'path "/" is given to both ChatModule option paths.text and ChatModule option paths.tornado',
    );
  });

  it('lets the Tornado protocol take /chat once the JSON protocol has moved (the tutorial page)', () => {
    expect(resolveChatPaths({ tornado: '/chat', json: '/json' })).toMatchObject({
      json: ['/json'],
      tornado: ['/chat'],
    });
  });

  it("lets another protocol take the Tornado protocol's path when it is off", () => {
    expect(resolveChatPaths({ json: '/tornado' }, { tornadoProtocol: false }).json).toEqual(['/tornado']);
  });

  it("lets the JSON protocol take the text protocol's path when the text protocol is off", () => {
    expect(resolveChatPaths({ json: '/' }, { textProtocol: false }).json).toEqual(['/']);
  });

  it('names the option holding a malformed path', () => {
    expect(() => resolveChatPaths({ rest: '/api/:x' })).toThrow(/^ChatModule option paths.rest: /);
  });
});
