import { Controller, Get, Headers, NotFoundException, Param, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PageDocument } from './page-document.js';
import { PublicFiles, type PublicFile } from './public-files.js';
import { setSecurityHeaders } from './security-headers.js';

/** What `@Req()`/`@Res()` give: Node's own objects (Express), or wrappers holding them in `raw` (Fastify). */
type PlatformRequest = IncomingMessage | { raw: IncomingMessage; originalUrl?: string };
type PlatformResponse = ServerResponse | { raw: ServerResponse };

function nodeRequest(request: PlatformRequest): IncomingMessage {
  return 'raw' in request ? request.raw : request;
}

function nodeResponse(response: PlatformResponse): ServerResponse {
  return 'raw' in response ? response.raw : response;
}

/**
 * The browser client: `GET /` is the page, `GET /assets/<file>` any file next to it (ChatModule
 * mounts it at its page path). The page refers to everything by relative URLs. It answers on
 * Node's response itself, so it works the same on either Nest HTTP platform.
 */
@Controller()
export class PageController {
  constructor(
    private readonly files: PublicFiles,
    private readonly document: PageDocument,
  ) {}

  @Get()
  page(
    @Req() platformRequest: PlatformRequest & { originalUrl?: string },
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() platformResponse: PlatformResponse,
  ): void {
    const request = nodeRequest(platformRequest);
    const response = nodeResponse(platformResponse);
    setSecurityHeaders(request, response);
    // Express and Fastify both keep the URL as received (before a mount prefix was stripped).
    const url = platformRequest.originalUrl ?? request.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    // `/v1/chat` must become `/v1/chat/`, or the page's relative URLs would miss its folder.
    if (!path.endsWith('/')) return redirectIntoFolder(path, url.slice(path.length), response);
    const template = this.files.get('index.html');
    serve(template && this.document.render(template, path), ifNoneMatch, response);
  }

  // One path segment: the page's files sit side by side (public-files.spec.ts), and a named
  // wildcard (`*path`) is Express-only: Fastify's router refuses it.
  @Get('assets/:file')
  asset(
    @Param('file') file: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() request: PlatformRequest,
    @Res() response: PlatformResponse,
  ): void {
    setSecurityHeaders(nodeRequest(request), nodeResponse(response));
    serve(this.files.get(file), ifNoneMatch, nodeResponse(response));
  }
}

/** A relative redirect (`./chat/`), right behind proxies that strip a prefix of their own. */
function redirectIntoFolder(path: string, query: string, response: ServerResponse): void {
  response.statusCode = 301;
  response.setHeader('Location', `./${path.slice(path.lastIndexOf('/') + 1)}/${query}`);
  response.end();
}

function serve(file: PublicFile | undefined, ifNoneMatch: string | undefined, response: ServerResponse): void {
  if (file === undefined) throw new NotFoundException();
  response.setHeader('Content-Type', file.contentType);
  response.setHeader('ETag', file.etag);
  // Revalidated on every load, so a deploy is picked up at once; unchanged files cost a 304.
  response.setHeader('Cache-Control', 'no-cache');
  if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((tag) => tag.trim() === file.etag)) {
    response.statusCode = 304;
    response.end();
    return;
  }
  response.statusCode = 200;
  response.setHeader('Content-Length', file.body.length);
  response.end(file.body);
}
