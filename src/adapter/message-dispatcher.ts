import type { WsMessageHandler } from '@nestjs/common';
import type { EventEmitter } from 'node:events';
import { isObservable, type Observable, type Subscription } from 'rxjs';
import type { MessageParser } from './adapter-options.js';

const OPEN = 1;
const CLOSED = 3;

/** The part of a ws-like client the dispatcher uses. */
export interface DispatchClient extends EventEmitter {
  readonly readyState: number;
  send(data: string): void;
}

export interface ErrorLogger {
  error(message: unknown): void;
  debug?(message: unknown): void;
}

type HandlerCallback = WsMessageHandler['callback'];

/** What every client of one adapter shares: one object instead of three fields per client. */
export class DispatchSettings {
  /** Rejections of any client's handler: a shared function, no closure per client. */
  readonly logRejection: (error: unknown) => void;

  constructor(
    readonly parse: MessageParser,
    /** False for the default parser: it throws on client input, and logging that lets any client flood the log. */
    readonly reportParseErrors: boolean,
    readonly logger: ErrorLogger,
  ) {
    this.logRejection = (error) => logger.error(error);
  }
}

/** Up to this many handlers a scan is as fast as a Map and costs no memory per client. */
const SCAN_LIMIT = 16;

const kDispatcher = Symbol('adapter.messageDispatcher');
type DispatchedClient = DispatchClient & { [kDispatcher]?: MessageDispatcher };

/** The 'message' listener of every dispatched client; finds its dispatcher on the client. */
function onClientMessage(this: DispatchedClient, data: Buffer, isBinary: boolean): void {
  this[kDispatcher]?.dispatch(data, isBinary);
}

/**
 * Routes one client's frames to its `@SubscribeMessage` handlers and sends
 * back what they return as JSON, as platform-ws does.
 *
 * It does without the Observable pipeline platform-ws builds per client:
 * the callbacks Nest hands the adapter are already wrapped with guards,
 * pipes, interceptors and exception filters and always return a Promise, so
 * Nest's `transform` would only await that Promise and flatten an Observable
 * result. Awaiting it directly keeps the plain-value answer (the common case)
 * free of RxJS; Observable results (every interceptor produces one) are
 * subscribed to until the client closes.
 *
 * Idle memory per connection is a product metric: the listener is one shared function, the
 * handlers array is Nest's own (scanned, not copied into a Map, for the usual few handlers),
 * and the promise callback is bound on a client's first message.
 */
export class MessageDispatcher {
  /** Only for gateways with more than SCAN_LIMIT handlers. */
  private byEvent: Map<unknown, HandlerCallback> | undefined = undefined;
  private subscriptions: Set<Subscription> | undefined = undefined;
  private onResolved: ((value: unknown) => void) | undefined = undefined;
  private onRejected: ((error: unknown) => void) | undefined = undefined;

  private constructor(
    private readonly client: DispatchClient,
    /** Nest builds this array per client (the callbacks are bound to it). */
    private readonly handlers: readonly WsMessageHandler[],
    private readonly settings: DispatchSettings,
  ) {
    if (handlers.length > SCAN_LIMIT) {
      this.byEvent = new Map();
      for (const handler of handlers) this.byEvent.set(handler.message, handler.callback);
    }
  }

  /** Dispatches the 'message' events of `client` from now on. */
  static attach(
    client: DispatchClient,
    handlers: readonly WsMessageHandler[],
    settings: DispatchSettings,
  ): MessageDispatcher {
    const dispatcher = new MessageDispatcher(client, handlers, settings);
    (client as DispatchedClient)[kDispatcher] = dispatcher;
    client.on('message', onClientMessage);
    return dispatcher;
  }

  dispatch(data: Buffer, isBinary: boolean): void {
    const settings = this.settings;
    let message;
    try {
      message = settings.parse(isBinary ? data : data.toString());
    } catch (error) {
      if (settings.reportParseErrors) settings.logger.error(error);
      return;
    }
    if (!message) return;
    const callback = this.callbackFor(message.event);
    if (callback === undefined) return;
    let result: unknown;
    try {
      result = callback(message.data, message.event);
    } catch (error) {
      // Nest's callbacks never throw synchronously; a hand-made one that does is an app bug.
      settings.logger.error(error);
      return;
    }
    if (isPromiseLike(result)) {
      result.then(
        (this.onResolved ??= (value) => this.onResult(value)),
        (this.onRejected ??= (error) => this.onRejection(error)),
      );
    } else {
      this.onResult(result);
    }
  }

  private callbackFor(event: unknown): HandlerCallback | undefined {
    if (this.byEvent !== undefined) return this.byEvent.get(event);
    const handlers = this.handlers;
    // From the end: with duplicate events the last handler wins, as with a Map.
    for (let i = handlers.length - 1; i >= 0; i--) {
      if (handlers[i].message === event) return handlers[i].callback;
    }
    return undefined;
  }

  private onResult(value: unknown): void {
    if (value === undefined || value === null) return;
    if (isObservable(value)) this.subscribe(value);
    else this.send(value);
  }

  /**
   * platform-ws stops listening to a handler's result when its client closes, so a rejection
   * that comes later is dropped unseen; here it is kept for debug logs only. The client is
   * gone, and a handler failing because of that is no application error.
   */
  private onRejection(error: unknown): void {
    if (this.client.readyState === CLOSED) this.settings.logger.debug?.(error);
    else this.settings.logRejection(error);
  }

  private send(value: unknown): void {
    if (this.client.readyState !== OPEN) return;
    try {
      const text = JSON.stringify(value);
      if (text !== undefined) this.client.send(text);
    } catch (error) {
      this.settings.logger.error(error);
    }
  }

  private subscribe(results: Observable<unknown>): void {
    if (this.client.readyState === CLOSED) return;
    const subscription = results.subscribe({
      next: (value: unknown) => {
        if (value !== undefined && value !== null) this.send(value);
      },
      error: this.settings.logRejection,
    });
    if (subscription.closed) return;
    const active = (this.subscriptions ??= this.unsubscribeOnClose());
    active.add(subscription);
    subscription.add(() => active.delete(subscription));
  }

  private unsubscribeOnClose(): Set<Subscription> {
    const active = new Set<Subscription>();
    this.client.once('close', () => {
      for (const subscription of active) subscription.unsubscribe();
    });
    return active;
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value instanceof Promise ||
    (typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function')
  );
}
