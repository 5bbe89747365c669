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
}

type HandlerCallback = WsMessageHandler['callback'];

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
 */
export class MessageDispatcher {
  private readonly callbacks = new Map<unknown, HandlerCallback>();
  private subscriptions: Set<Subscription> | undefined;

  constructor(
    private readonly client: DispatchClient,
    handlers: readonly WsMessageHandler[],
    private readonly parse: MessageParser,
    /** False for the default parser: it throws on client input, and logging that lets any client flood the log. */
    private readonly reportParseErrors: boolean,
    private readonly logger: ErrorLogger,
  ) {
    for (const handler of handlers) this.callbacks.set(handler.message, handler.callback);
  }

  readonly onMessage = (data: Buffer, isBinary: boolean): void => {
    let message;
    try {
      message = this.parse(isBinary ? data : data.toString());
    } catch (error) {
      if (this.reportParseErrors) this.logger.error(error);
      return;
    }
    if (!message) return;
    const callback = this.callbacks.get(message.event);
    if (callback === undefined) return;
    let result: unknown;
    try {
      result = callback(message.data, message.event);
    } catch (error) {
      // Nest's callbacks never throw synchronously; a hand-made one that does is an app bug.
      this.logger.error(error);
      return;
    }
    if (isPromiseLike(result)) result.then(this.onResult, this.onRejected);
    else this.onResult(result);
  };

  private readonly onResult = (value: unknown): void => {
    if (value === undefined || value === null) return;
    if (isObservable(value)) this.subscribe(value);
    else this.send(value);
  };

  private readonly onRejected = (error: unknown): void => {
    this.logger.error(error);
  };

  private readonly onItem = (value: unknown): void => {
    if (value !== undefined && value !== null) this.send(value);
  };

  private send(value: unknown): void {
    if (this.client.readyState !== OPEN) return;
    try {
      const text = JSON.stringify(value);
      if (text !== undefined) this.client.send(text);
    } catch (error) {
      this.logger.error(error);
    }
  }

  private subscribe(results: Observable<unknown>): void {
    if (this.client.readyState === CLOSED) return;
    const subscription = results.subscribe({ next: this.onItem, error: this.onRejected });
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
