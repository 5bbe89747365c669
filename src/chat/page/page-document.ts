import { createHash } from 'node:crypto';
import type { PublicFile } from './public-files.js';

/** Where the page finds the chat: absolute paths on the server, as ChatModule resolved them. */
export interface PagePlaces {
  /** The JSON protocol's WebSocket path (gateways ignore the global prefix). */
  socketPath: string;
  /** The page's own path, without the global prefix. */
  pagePath: string;
  /** The REST prefix, without the global prefix (the rooms are at `<rest>/rooms`). */
  restPrefix: string;
}

const SOCKET_META = '<meta name="chat-socket" content="chat">';
const ROOMS_META = '<meta name="chat-rooms" content="api/rooms">';

/** Directories above a path's last `/`: `/` is 0, `/v1/chat/` is 2. */
export function directoryDepth(path: string): number {
  let depth = 0;
  for (let index = 1; index < path.length; index++) if (path.charCodeAt(index) === 0x2f) depth++;
  return depth;
}

/** `target` (absolute) as seen from a document `depth` directories deep. */
export function relativeFrom(depth: number, target: string): string {
  return '../'.repeat(depth) + target.slice(1) || './';
}

/**
 * index.html with the chat's places written in relative to the page's URL, so that the page
 * works under any page path, global prefix or a proxy that strips a prefix of its own. The
 * REST API is under the same global prefix as the page, so its place depends only on the page
 * path; the WebSocket path is not, so its place depends on the URL the page was asked for.
 */
export class PageDocument {
  private readonly byDepth = new Map<number, PublicFile>();

  constructor(private readonly places: PagePlaces) {}

  /** The page for a request to `requestPath` (a path ending with `/`); the template never changes. */
  render(template: PublicFile, requestPath: string): PublicFile {
    const depth = directoryDepth(requestPath);
    let page = this.byDepth.get(depth);
    if (page === undefined) {
      page = this.build(template, depth);
      this.byDepth.set(depth, page);
    }
    return page;
  }

  private build(template: PublicFile, depth: number): PublicFile {
    const { socketPath, pagePath, restPrefix } = this.places;
    const pageDepth = directoryDepth(pagePath === '/' ? '/' : `${pagePath}/`);
    const rooms = relativeFrom(pageDepth, `${restPrefix === '/' ? '' : restPrefix}/rooms`);
    // Paths hold only URL-safe characters (mount-paths.ts): nothing to escape in an attribute.
    const html = template.body
      .toString('utf8')
      .replace(SOCKET_META, `<meta name="chat-socket" content="${relativeFrom(depth, socketPath)}">`)
      .replace(ROOMS_META, `<meta name="chat-rooms" content="${rooms}">`);
    const body = Buffer.from(html);
    return { ...template, body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
  }
}
