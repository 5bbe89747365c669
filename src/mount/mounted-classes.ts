import { Controller, type Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { WebSocketGateway } from '@nestjs/websockets';
import { GATEWAY_OPTIONS, PORT_METADATA } from '@nestjs/websockets/constants.js';
import { normalizeGatewayPath } from '../adapter/index.js';

/*
 * Nest reads a gateway's path and a controller's prefix from decorator metadata fixed when the
 * class is declared. To serve one at a path chosen when the module is defined, we declare a
 * subclass there and decorate it: handlers, guards, pipes, filters and constructor injections
 * are inherited (Nest reads them through the prototype chain). At the path the class declares
 * itself, the class is used as is, so a host that compares `context.getClass()` with it keeps
 * working with the default paths.
 */

/** A subclass of `base` that keeps its name, so Nest's logs and errors still name `base`. */
function subclassOf<T>(base: Type<T>): Type<T> {
  const mounted = class extends (base as Type<object>) {};
  Object.defineProperty(mounted, 'name', { value: base.name });
  return mounted as Type<T>;
}

/** The gateway `base` (decorated with `@WebSocketGateway`) served at `path`, its other options kept. */
export function gatewayAt<T>(base: Type<T>, path: string): Type<T> {
  const options = (Reflect.getMetadata(GATEWAY_OPTIONS, base) ?? {}) as { path?: string };
  if (normalizeGatewayPath(options.path) === path) return base;
  const port = (Reflect.getMetadata(PORT_METADATA, base) ?? 0) as number;
  const mounted = subclassOf(base);
  WebSocketGateway(port, { ...options, path })(mounted);
  return mounted;
}

/** One gateway per path, all of them sharing the providers `base` injects. */
export function gatewaysAt<T>(base: Type<T>, paths: readonly string[]): Type<T>[] {
  return paths.map((path) => gatewayAt(base, path));
}

/** The controller `base` (decorated with `@Controller`) with its routes under `path`. */
export function controllerAt<T>(base: Type<T>, path: string): Type<T> {
  const declared = Reflect.getMetadata(PATH_METADATA, base) as string | undefined;
  if (typeof declared === 'string' && normalizeGatewayPath(declared) === path) return base;
  const mounted = subclassOf(base);
  Controller(path)(mounted);
  return mounted;
}
