import { Inject, Injectable } from '@nestjs/common';
import { ChatError } from './chat-error.js';
import { CHAT_OPTIONS, type ResolvedChatOptions, type RoomAccessHook } from './chat-options.js';
import type { ProtocolKind } from './chat-socket.js';
import { API_SENDER_ID } from './sender-id.js';

/**
 * What the `canJoin`/`canPost` hooks get for a client that no `authorize` hook identified
 * (an anonymous upgrade, or a REST request without `request.principal`).
 */
export interface AnonymousPrincipal {
  readonly anonymous: true;
  /** The connection id (the `id` of `welcome`); for REST the fixed `'api'` (API_SENDER_ID). */
  readonly id: string;
  /** The chat name at the time of the check; for REST the body's `from` (undefined on reads). */
  readonly name: string | undefined;
  /** The peer address, as plain-text clients are named (`127.0.0.1:50212`; REST: the IP only). */
  readonly address: string;
  readonly protocol: ProtocolKind | 'rest';
}

export function isAnonymousPrincipal(principal: unknown): principal is AnonymousPrincipal {
  return (
    typeof principal === 'object' && principal !== null && (principal as { anonymous?: unknown }).anonymous === true
  );
}

/** The parts of a connection its principal is made of. */
export interface PrincipalSource {
  readonly id: string;
  readonly name: string;
  readonly remoteAddress: string;
  readonly kind: ProtocolKind;
  /** What the adapter's `authorize` hook returned; undefined for an anonymous upgrade. */
  readonly principal: unknown;
}

/**
 * What the adapter's `authorize` hook returned, unless it carries nobody: undefined, null and
 * booleans (`authorize: () => true` lets anonymous clients in) count as anonymous.
 */
export function identified(principal: unknown): boolean {
  return principal !== undefined && principal !== null && typeof principal !== 'boolean';
}

/** The principal the hooks see for a WebSocket connection. */
export function principalOf(connection: PrincipalSource): unknown {
  if (identified(connection.principal)) return connection.principal;
  const anonymous: AnonymousPrincipal = {
    anonymous: true,
    id: connection.id,
    name: connection.name,
    address: connection.remoteAddress,
    protocol: connection.kind,
  };
  return anonymous;
}

/** The principal the hooks see for a REST request. */
export function restPrincipal(
  request: { principal?: unknown; ip?: string; socket?: { remoteAddress?: string } },
  from?: string,
): unknown {
  if (identified(request.principal)) return request.principal;
  const anonymous: AnonymousPrincipal = {
    anonymous: true,
    id: API_SENDER_ID,
    name: from,
    address: request.ip ?? request.socket?.remoteAddress ?? 'unknown',
    protocol: 'rest',
  };
  return anonymous;
}

/**
 * The host's per-room decisions (`canJoin`, `canPost` module options). Without a hook
 * everything is allowed; with one, only an answer of exactly `true` allows. A synchronous hook
 * is answered synchronously, so the common path takes no extra turn of the event loop.
 */
@Injectable()
export class RoomAccess {
  private readonly canJoin: RoomAccessHook | undefined;
  private readonly canPost: RoomAccessHook | undefined;

  constructor(@Inject(CHAT_OPTIONS) options: ResolvedChatOptions) {
    this.canJoin = options.canJoin;
    this.canPost = options.canPost;
  }

  /** Entering the room and reading its history (JSON `join`/`history`, REST GET, `/` lobby). */
  mayJoin(principal: unknown, room: string): boolean | Promise<boolean> {
    return ask(this.canJoin, principal, room);
  }

  mayPost(principal: unknown, room: string): boolean | Promise<boolean> {
    return ask(this.canPost, principal, room);
  }

  /** Resolves when joining is allowed; otherwise throws (or rejects with) `forbidden`. */
  requireJoin(principal: unknown, room: string): void | Promise<void> {
    return settle(this.mayJoin(principal, room), () => forbidden('join', room));
  }

  requirePost(principal: unknown, room: string): void | Promise<void> {
    return settle(this.mayPost(principal, room), () => forbidden('post in', room));
  }

  /** requireJoin for a connection; its principal is built only when a hook will see it. */
  requireJoinOf(connection: PrincipalSource, room: string): void | Promise<void> {
    if (this.canJoin !== undefined) return this.requireJoin(principalOf(connection), room);
  }

  requirePostOf(connection: PrincipalSource, room: string): void | Promise<void> {
    if (this.canPost !== undefined) return this.requirePost(principalOf(connection), room);
  }
}

function ask(hook: RoomAccessHook | undefined, principal: unknown, room: string): boolean | Promise<boolean> {
  if (hook === undefined) return true;
  const answer: unknown = hook(principal, room);
  return isThenable(answer) ? Promise.resolve(answer).then((allowed) => allowed === true) : answer === true;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function settle(answer: boolean | Promise<boolean>, refusal: () => Error): void | Promise<void> {
  if (answer instanceof Promise) {
    return answer.then((allowed) => {
      if (!allowed) throw refusal();
    });
  }
  if (!answer) throw refusal();
}

function forbidden(action: string, room: string): ChatError {
  return new ChatError('forbidden', `you may not ${action} room ${JSON.stringify(room)}`);
}
