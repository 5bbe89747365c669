import * as crypto from 'node:crypto';
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { SUPPORTED_VERSION, WEBSOCKET_GUID } from './constants.js';
import { headerHasToken, parseExtensions, parseTokenList, type ExtensionOffer } from './header-tokens.js';

/** The parts of an IncomingMessage the handshake looks at. */
export interface HandshakeRequest {
  method?: string;
  httpVersionMajor: number;
  httpVersionMinor: number;
  headers: IncomingHttpHeaders;
}

export interface AcceptedHandshake {
  ok: true;
  key: string;
  /** Sec-WebSocket-Protocol values in the client's order of preference. */
  protocols: string[];
  /** Sec-WebSocket-Extensions offers, for a future permessage-deflate negotiation. */
  extensions: ExtensionOffer[];
}

export interface RejectedHandshake {
  ok: false;
  status: number;
  message: string;
  headers?: Record<string, string>;
}

export type HandshakeResult = AcceptedHandshake | RejectedHandshake;

const VERSION_HEADER = { 'Sec-WebSocket-Version': String(SUPPORTED_VERSION) };

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function reject(status: number, message: string, headers?: Record<string, string>): RejectedHandshake {
  return headers ? { ok: false, status, message, headers } : { ok: false, status, message };
}

const BASE64_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') {
  BASE64_CHAR[c.charCodeAt(0)] = 1;
}

/** A Sec-WebSocket-Key is the base64 of 16 bytes: 22 base64 characters and "==". */
export function isValidKey(key: string): boolean {
  if (key.length !== 24 || key[22] !== '=' || key[23] !== '=') return false;
  for (let i = 0; i < 22; i++) {
    const c = key.charCodeAt(i);
    if (c >= 128 || BASE64_CHAR[c] !== 1) return false;
  }
  return true;
}

/** Parses Sec-WebSocket-Version: 1 to 3 digits, 0-255 (RFC 6455 section 4.1). */
function parseVersion(value: string): number {
  if (value.length === 0 || value.length > 3) return -1;
  let version = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    version = version * 10 + (c - 0x30);
  }
  return version <= 255 ? version : -1;
}

/**
 * Checks an opening handshake against RFC 6455 section 4.2.1. Rejections carry the HTTP status
 * to answer with: 400 for a malformed request, 426 (with the version we speak) for another
 * protocol version.
 */
export function validateHandshake(req: HandshakeRequest): HandshakeResult {
  if (req.method !== 'GET') return reject(400, 'The opening handshake must be a GET request');
  if (req.httpVersionMajor < 1 || (req.httpVersionMajor === 1 && req.httpVersionMinor < 1)) {
    return reject(400, 'The opening handshake needs HTTP/1.1 or later');
  }
  const { headers } = req;
  if (!headerHasToken(header(headers, 'upgrade'), 'websocket')) {
    return reject(400, 'Missing or invalid Upgrade header');
  }
  if (!headerHasToken(header(headers, 'connection'), 'upgrade')) {
    return reject(400, 'Missing or invalid Connection header');
  }
  if (!header(headers, 'host')) return reject(400, 'Missing Host header');

  const rawVersion = header(headers, 'sec-websocket-version');
  if (rawVersion === undefined || rawVersion.trim() === '') {
    return reject(400, 'Missing Sec-WebSocket-Version header', VERSION_HEADER);
  }
  const version = parseVersion(rawVersion.trim());
  if (version < 0) return reject(400, 'Invalid Sec-WebSocket-Version header', VERSION_HEADER);
  if (version !== SUPPORTED_VERSION) {
    return reject(426, `Unsupported WebSocket version ${version}`, VERSION_HEADER);
  }

  const key = header(headers, 'sec-websocket-key')?.trim();
  if (key === undefined || !isValidKey(key)) return reject(400, 'Missing or invalid Sec-WebSocket-Key header');

  let protocols: string[] = [];
  const rawProtocols = header(headers, 'sec-websocket-protocol');
  if (rawProtocols !== undefined) {
    const parsed = parseTokenList(rawProtocols);
    if (parsed === null || new Set(parsed).size !== parsed.length) {
      return reject(400, 'Invalid Sec-WebSocket-Protocol header');
    }
    protocols = parsed;
  }

  let extensions: ExtensionOffer[] = [];
  const rawExtensions = header(headers, 'sec-websocket-extensions');
  if (rawExtensions !== undefined) {
    const parsed = parseExtensions(rawExtensions);
    if (parsed === null) return reject(400, 'Invalid Sec-WebSocket-Extensions header');
    extensions = parsed;
  }

  return { ok: true, key, protocols, extensions };
}

/** crypto.hash (Node >= 20.12) skips the Hash object a createHash() chain allocates. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64') => string }).hash;

/** The parts of an IncomingMessage that make up its request head on the wire. */
export interface RequestHead {
  method?: string;
  url?: string;
  httpVersion: string;
  /** Names and values in turn, as received. */
  rawHeaders: readonly string[];
}

/**
 * The size in bytes of the request head as clients send it: request line, each header as
 * `name: value` plus CRLF (Node drops the spaces around a value, so one is counted after each
 * colon), and the empty line. Node decodes header bytes as latin1: a string's length is its
 * byte count.
 */
export function requestHeadSize(req: RequestHead): number {
  // "METHOD SP url SP HTTP/x.y CRLF"
  let size = (req.method?.length ?? 0) + 1 + (req.url?.length ?? 0) + 1 + 5 + req.httpVersion.length + 2;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) size += raw[i].length + 2 + raw[i + 1].length + 2;
  return size + 2;
}

/** Sec-WebSocket-Accept: base64(SHA-1(key + GUID)) (RFC 6455 section 4.2.2). */
export function computeAccept(key: string): string {
  const input = key + WEBSOCKET_GUID;
  return oneShotHash !== undefined
    ? oneShotHash('sha1', input, 'base64')
    : crypto.createHash('sha1').update(input).digest('base64');
}

const ACCEPT_RESPONSE_HEAD = Buffer.from(
  'HTTP/1.1 101 Switching Protocols\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    'Sec-WebSocket-Accept: ',
  'latin1',
);
const BARE_TAIL = '\r\n\r\n';

/**
 * The 101 response, as bytes: the fixed part is encoded once, so a handshake only writes the
 * accept value and what was negotiated. Omitted extensions are declined (RFC 6455 section 9.1).
 */
export function buildAcceptResponse(key: string, protocol = '', extensions = ''): Buffer {
  const accept = computeAccept(key);
  let tail = BARE_TAIL;
  if (protocol !== '' || extensions !== '') {
    tail = '\r\n';
    if (protocol !== '') tail += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
    if (extensions !== '') tail += `Sec-WebSocket-Extensions: ${extensions}\r\n`;
    tail += '\r\n';
  }
  const head = ACCEPT_RESPONSE_HEAD.length;
  const response = Buffer.allocUnsafe(head + accept.length + Buffer.byteLength(tail));
  ACCEPT_RESPONSE_HEAD.copy(response, 0);
  const at = head + response.write(accept, head, 'latin1');
  response.write(tail, at, 'utf8');
  return response;
}

/** A plain-text HTTP error that ends the connection. */
export function buildErrorResponse(status: number, message?: string, headers: Record<string, string> = {}): string {
  const body = message ?? STATUS_CODES[status] ?? 'Error';
  let response =
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Connection: close\r\n' +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (!isSafeHeaderValue(name) || !isSafeHeaderValue(value)) continue;
    response += `${name}: ${value}\r\n`;
  }
  return `${response}\r\n${body}`;
}

/** Refuses header text that could split the response (a CR or LF from an app-supplied value). */
function isSafeHeaderValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) return false;
  }
  return true;
}

function destroySocket(this: Duplex): void {
  this.destroy();
}

function ignoreError(): void {
  // The socket is being thrown away; a late ECONNRESET must not crash the process.
}

/** Answers a refused upgrade with a plain HTTP error and closes the socket; never upgrades. */
export function abortHandshake(
  socket: Duplex,
  status: number,
  message?: string,
  headers?: Record<string, string>,
): void {
  socket.on('error', ignoreError);
  if (!socket.writable || socket.destroyed) {
    socket.destroy();
    return;
  }
  socket.once('finish', destroySocket);
  socket.end(buildErrorResponse(status, message, headers));
}

/**
 * Origin check (RFC 6455 section 10.2). With an allow-list, a request without Origin is
 * refused too: the list exists to restrict which pages may connect, and a missing header
 * cannot be shown to be on it.
 */
export function isOriginAllowed(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (allowed.size === 0) return true;
  if (origin === undefined) return false;
  return allowed.has(normaliseOrigin(origin));
}

export function normaliseOrigin(origin: string): string {
  let end = origin.length;
  while (end > 0 && origin.charCodeAt(end - 1) === 0x2f) end--; // trailing "/"
  return origin.slice(0, end).trim().toLowerCase();
}
