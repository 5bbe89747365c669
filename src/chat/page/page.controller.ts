import { Controller, Get, Headers, NotFoundException, Param, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PublicFiles, type PublicFile } from './public-files.js';
import { setSecurityHeaders } from './security-headers.js';

/** The browser client: `GET /` is the page, `GET /assets/<file>` any file next to it. */
@Controller()
export class PageController {
  constructor(private readonly files: PublicFiles) {}

  @Get()
  page(
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
  ): void {
    setSecurityHeaders(request, response);
    serve(this.files.get('index.html'), ifNoneMatch, response);
  }

  @Get('assets/*path')
  asset(
    @Param('path') path: string | string[],
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
  ): void {
    setSecurityHeaders(request, response);
    serve(this.files.get(Array.isArray(path) ? path.join('/') : path), ifNoneMatch, response);
  }
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
