import { Injectable, UnsupportedMediaTypeException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';

/**
 * REST writes take `application/json` only (any parameters, such as a charset): everything
 * else gets 415 before the body is looked at. A cross-site HTML form can only send
 * urlencoded, multipart or text/plain bodies; a cross-site JSON request needs a CORS
 * preflight, which this service never grants.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<IncomingMessage>();
    if (!isJson(request.headers['content-type'])) {
      throw new UnsupportedMediaTypeException('the body must be application/json');
    }
    return true;
  }
}

/** `application/json`, whatever the case, spaces or parameters (`; charset=utf-8`). */
export function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const end = contentType.indexOf(';');
  const mediaType = (end === -1 ? contentType : contentType.slice(0, end)).trim().toLowerCase();
  return mediaType === 'application/json';
}
