import { directoryDepth, PageDocument, relativeFrom } from './page-document.js';
import type { PublicFile } from './public-files.js';

const template: PublicFile = {
  body: Buffer.from(
    '<head><meta name="chat-socket" content="chat">\n<meta name="chat-rooms" content="api/rooms"></head>',
  ),
  contentType: 'text/html; charset=utf-8',
  etag: '"template"',
};

function metas(page: PublicFile): string[] {
  return [...page.body.toString().matchAll(/content="([^"]*)"/g)].map((match) => match[1]);
}

describe('directoryDepth and relativeFrom', () => {
  it.each([
    ['/', 0],
    ['/v1/', 1],
    ['/v1/ui/', 2],
  ])('counts the folders of %p as %p', (path, depth) => {
    expect(directoryDepth(path)).toBe(depth);
  });

  it('climbs to the root, then down to the target', () => {
    expect(relativeFrom(0, '/chat')).toBe('chat');
    expect(relativeFrom(2, '/ws/chat')).toBe('../../ws/chat');
    expect(relativeFrom(0, '/')).toBe('./');
    expect(relativeFrom(1, '/')).toBe('../');
  });
});

describe('PageDocument', () => {
  it('writes the defaults back unchanged for the page at / with no prefix', () => {
    const document = new PageDocument({ socketPath: '/chat', pagePath: '/', restPrefix: '/api' });
    expect(metas(document.render(template, '/'))).toEqual(['chat', 'api/rooms']);
  });

  it('points from a page under a global prefix to the socket outside it and the API inside it', () => {
    const document = new PageDocument({ socketPath: '/ws/chat', pagePath: '/ui', restPrefix: '/chat-api' });
    // Served at /v1/ui/: the socket is not under the prefix, the REST API is.
    const page = document.render(template, '/v1/ui/');
    expect(metas(page)).toEqual(['../../ws/chat', '../chat-api/rooms']);
    expect(new URL('../../ws/chat', 'http://h/v1/ui/').pathname).toBe('/ws/chat');
    expect(new URL('../chat-api/rooms', 'http://h/v1/ui/').pathname).toBe('/v1/chat-api/rooms');
  });

  it("gives each variant its own ETag, different from the template's", () => {
    const document = new PageDocument({ socketPath: '/chat', pagePath: '/', restPrefix: '/api' });
    const atRoot = document.render(template, '/');
    const underPrefix = document.render(template, '/v1/');
    expect(new Set([atRoot.etag, underPrefix.etag, template.etag]).size).toBe(3);
    expect(document.render(template, '/v2/')).toBe(underPrefix);
  });
});
