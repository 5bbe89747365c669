import { resolveChatPaths } from './chat-paths.js';

describe('resolveChatPaths', () => {
  it('serves JSON on /chat, text on /, REST under /api and the page at / by default', () => {
    expect(resolveChatPaths()).toEqual({ json: ['/chat'], text: ['/'], rest: '/api', page: '/' });
  });

  it('normalises the paths given, and takes several for each WebSocket protocol', () => {
    expect(resolveChatPaths({ json: ['live', '/chat/'], text: '/plain,/legacy', rest: 'v2/', page: '/ui/' })).toEqual({
      json: ['/live', '/chat'],
      text: ['/plain', '/legacy'],
      rest: '/v2',
      page: '/ui',
    });
  });

  it('refuses a path given to both protocols, naming both options', () => {
    expect(() => resolveChatPaths({ json: ['/chat', '/'], text: '/' })).toThrow(
      'path "/" is given to both ChatModule option paths.json and ChatModule option paths.text',
    );
  });

  it("lets the JSON protocol take the text protocol's path when the text protocol is off", () => {
    expect(resolveChatPaths({ json: '/' }, { textProtocol: false }).json).toEqual(['/']);
  });

  it('names the option holding a malformed path', () => {
    expect(() => resolveChatPaths({ rest: '/api/:x' })).toThrow(/^ChatModule option paths.rest: /);
  });
});
