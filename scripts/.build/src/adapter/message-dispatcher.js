import { isObservable } from 'rxjs';
const OPEN = 1;
const CLOSED = 3;
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
    constructor(client, handlers, parse, 
    /** False for the default parser: it throws on client input, and logging that lets any client flood the log. */
    reportParseErrors, logger) {
        this.client = client;
        this.parse = parse;
        this.reportParseErrors = reportParseErrors;
        this.logger = logger;
        this.callbacks = new Map();
        this.onMessage = (data, isBinary) => {
            let message;
            try {
                message = this.parse(isBinary ? data : data.toString());
            }
            catch (error) {
                if (this.reportParseErrors)
                    this.logger.error(error);
                return;
            }
            if (!message)
                return;
            const callback = this.callbacks.get(message.event);
            if (callback === undefined)
                return;
            let result;
            try {
                result = callback(message.data, message.event);
            }
            catch (error) {
                // Nest's callbacks never throw synchronously; a hand-made one that does is an app bug.
                this.logger.error(error);
                return;
            }
            if (isPromiseLike(result))
                result.then(this.onResult, this.onRejected);
            else
                this.onResult(result);
        };
        this.onResult = (value) => {
            if (value === undefined || value === null)
                return;
            if (isObservable(value))
                this.subscribe(value);
            else
                this.send(value);
        };
        this.onRejected = (error) => {
            this.logger.error(error);
        };
        this.onItem = (value) => {
            if (value !== undefined && value !== null)
                this.send(value);
        };
        for (const handler of handlers)
            this.callbacks.set(handler.message, handler.callback);
    }
    send(value) {
        if (this.client.readyState !== OPEN)
            return;
        try {
            const text = JSON.stringify(value);
            if (text !== undefined)
                this.client.send(text);
        }
        catch (error) {
            this.logger.error(error);
        }
    }
    subscribe(results) {
        if (this.client.readyState === CLOSED)
            return;
        const subscription = results.subscribe({ next: this.onItem, error: this.onRejected });
        if (subscription.closed)
            return;
        const active = (this.subscriptions ??= this.unsubscribeOnClose());
        active.add(subscription);
        subscription.add(() => active.delete(subscription));
    }
    unsubscribeOnClose() {
        const active = new Set();
        this.client.once('close', () => {
            for (const subscription of active)
                subscription.unsubscribe();
        });
        return active;
    }
}
function isPromiseLike(value) {
    return (value instanceof Promise ||
        (typeof value === 'object' && value !== null && typeof value.then === 'function'));
}
//# sourceMappingURL=message-dispatcher.js.map