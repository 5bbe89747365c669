import { assertDistinctPaths, normalizeMountPath, parsePathList, type PathList } from '../mount/mount-paths.js';

/**
 * Where the chat is served. WebSocket paths are absolute on the HTTP server (Nest's global
 * prefix does not apply to gateways); the REST prefix and the page's path are controller
 * paths, under the application's global prefix if it has one.
 */
export interface ChatPaths {
  /** The JSON protocol's WebSocket path(s). Default `/chat`. */
  json?: PathList;
  /** The plain-text protocol's WebSocket path(s). Default `/`. */
  text?: PathList;
  /** The Tornado chat room protocol's WebSocket path(s). Default `/tornado`. */
  tornado?: PathList;
  /** Prefix of the REST API: `<rest>/rooms...`. Default `/api`. */
  rest?: string;
  /** The browser page; its files are served under `<page>/assets/`. Default `/`. */
  page?: string;
}

export interface ResolvedChatPaths {
  json: string[];
  text: string[];
  tornado: string[];
  rest: string;
  page: string;
}

export const DEFAULT_CHAT_PATHS = { json: '/chat', text: '/', tornado: '/tornado', rest: '/api', page: '/' } as const;

/**
 * Normalised paths, each WebSocket protocol's without repeats; throws naming the option when a
 * path is malformed or served by two of the protocols that are on.
 */
export function resolveChatPaths(
  paths: ChatPaths = {},
  { textProtocol = true, tornadoProtocol = true }: { textProtocol?: boolean; tornadoProtocol?: boolean } = {},
): ResolvedChatPaths {
  const nameOf = (key: keyof ChatPaths) => `ChatModule option paths.${key}`;
  const resolved: ResolvedChatPaths = {
    json: parsePathList(paths.json ?? DEFAULT_CHAT_PATHS.json, nameOf('json')),
    text: parsePathList(paths.text ?? DEFAULT_CHAT_PATHS.text, nameOf('text')),
    tornado: parsePathList(paths.tornado ?? DEFAULT_CHAT_PATHS.tornado, nameOf('tornado')),
    rest: normalizeMountPath(paths.rest ?? DEFAULT_CHAT_PATHS.rest, nameOf('rest')),
    page: normalizeMountPath(paths.page ?? DEFAULT_CHAT_PATHS.page, nameOf('page')),
  };
  assertDistinctPaths([
    { name: nameOf('json'), paths: resolved.json },
    ...(textProtocol ? [{ name: nameOf('text'), paths: resolved.text }] : []),
    ...(tornadoProtocol ? [{ name: nameOf('tornado'), paths: resolved.tornado }] : []),
  ]);
  return resolved;
}
