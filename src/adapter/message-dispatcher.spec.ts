import { jest } from '@jest/globals';
import type { WsMessageHandler } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { Subject } from 'rxjs';
import { defaultMessageParser, type MessageParser } from './adapter-options.js';
import { DispatchSettings, MessageDispatcher } from './message-dispatcher.js';

class FakeClient extends EventEmitter {
  readyState = 1;
  readonly sent: string[] = [];
  send(data: string): void {
    this.sent.push(data);
  }
  receive(data: string | Buffer, isBinary = typeof data !== 'string'): void {
    this.emit('message', Buffer.from(data), isBinary);
  }
  closeNow(): void {
    this.readyState = 3;
    this.emit('close', 1000, Buffer.alloc(0));
  }
}

/** Everything the dispatcher does after a frame runs in microtasks; a macrotask turn drains them. */
const drainMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function handler(message: string, callback: WsMessageHandler['callback']): WsMessageHandler {
  return { message, callback, isAckHandledManually: false };
}

function setup(
  handlers: WsMessageHandler[],
  parser: MessageParser = defaultMessageParser,
): { client: FakeClient; errors: unknown[] } {
  const client = new FakeClient();
  const errors: unknown[] = [];
  const settings = new DispatchSettings(parser, parser !== defaultMessageParser, {
    error: (error: unknown) => errors.push(error),
  });
  MessageDispatcher.attach(client, handlers, settings);
  return { client, errors };
}

describe('MessageDispatcher', () => {
  it('calls the handler of the event with its data and the event name', async () => {
    const callback = jest.fn(async () => undefined);
    const { client } = setup([handler('join', callback)]);
    client.receive('{"event":"join","data":{"room":"lobby"}}');
    await drainMicrotasks();
    expect(callback).toHaveBeenCalledWith({ room: 'lobby' }, 'join');
  });

  it('sends what a Promise resolves to as JSON', async () => {
    const { client } = setup([handler('ping', async (data) => ({ event: 'pong', data }))]);
    client.receive('{"event":"ping","data":7}');
    await drainMicrotasks();
    expect(client.sent).toEqual(['{"event":"pong","data":7}']);
  });

  it('sends a value returned synchronously', () => {
    const { client } = setup([handler('ping', ((data: unknown) => ({ data })) as never)]);
    client.receive('{"event":"ping","data":"now"}');
    expect(client.sent).toEqual(['{"data":"now"}']);
  });

  it('sends nothing for undefined or null', async () => {
    const { client } = setup([handler('a', async () => undefined), handler('b', async () => null)]);
    client.receive('{"event":"a"}');
    client.receive('{"event":"b"}');
    await drainMicrotasks();
    expect(client.sent).toEqual([]);
  });

  it('sends every non-null value of an Observable until the client closes', async () => {
    const results = new Subject<unknown>();
    const { client } = setup([handler('watch', async () => results)]);
    client.receive('{"event":"watch"}');
    await drainMicrotasks();
    results.next({ event: 'tick', data: 1 });
    results.next(null);
    results.next({ event: 'tick', data: 2 });
    expect(results.observed).toBe(true);
    client.closeNow();
    expect(results.observed).toBe(false);
    results.next({ event: 'tick', data: 3 });
    expect(client.sent).toEqual(['{"event":"tick","data":1}', '{"event":"tick","data":2}']);
  });

  it('forgets an Observable once it completes', async () => {
    const results = new Subject<unknown>();
    const { client } = setup([handler('watch', async () => results)]);
    client.receive('{"event":"watch"}');
    await drainMicrotasks();
    results.complete();
    expect(client.listenerCount('close')).toBe(1);
    client.closeNow();
    expect(client.sent).toEqual([]);
  });

  it('does not subscribe to an Observable that resolves after the client closed', async () => {
    const results = new Subject<unknown>();
    const { client } = setup([handler('watch', async () => results)]);
    client.receive('{"event":"watch"}');
    client.closeNow();
    await drainMicrotasks();
    expect(results.observed).toBe(false);
  });

  it('drops an answer that arrives when the client is no longer open', async () => {
    const { client } = setup([handler('slow', async () => ({ event: 'late' }))]);
    client.receive('{"event":"slow"}');
    client.readyState = 2;
    await drainMicrotasks();
    expect(client.sent).toEqual([]);
  });

  it('silently ignores what the default parser cannot read or route', async () => {
    const callback = jest.fn(async () => 'x');
    const { client, errors } = setup([handler('known', callback)]);
    for (const text of ['nope', '', 'null', '0', '"known"', '[]', '{"event":"other"}', '{}']) {
      client.receive(text);
    }
    await drainMicrotasks();
    expect(callback).not.toHaveBeenCalled();
    expect(client.sent).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('drops a frame nested too deep without calling the handler or logging', async () => {
    const callback = jest.fn(async () => 'x');
    const { client, errors } = setup([handler('known', callback)]);
    client.receive('{"event":"known","data":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}');
    await drainMicrotasks();
    expect(callback).not.toHaveBeenCalled();
    expect(client.sent).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('parses JSON in a binary frame too', async () => {
    const { client } = setup([handler('ping', async (data) => data)]);
    client.receive(Buffer.from('{"event":"ping","data":"bin"}'));
    await drainMicrotasks();
    expect(client.sent).toEqual(['"bin"']);
  });

  it('gives a custom parser a string for text and a Buffer for binary', () => {
    const seen: unknown[] = [];
    const { client } = setup([], (data) => {
      seen.push(data);
      return undefined;
    });
    client.receive('text');
    client.receive(Buffer.from('bytes'));
    expect(seen).toEqual(['text', Buffer.from('bytes')]);
  });

  it('logs a custom parser that throws, and carries on', async () => {
    const failure = new Error('parser bug');
    let calls = 0;
    const { client, errors } = setup([handler('ping', async () => 'pong')], () => {
      if (calls++ === 0) throw failure;
      return { event: 'ping' };
    });
    client.receive('first');
    client.receive('second');
    await drainMicrotasks();
    expect(errors).toEqual([failure]);
    expect(client.sent).toEqual(['"pong"']);
  });

  it('logs a rejected handler and sends nothing', async () => {
    const failure = new Error('rejected');
    const { client, errors } = setup([handler('bad', () => Promise.reject(failure))]);
    client.receive('{"event":"bad"}');
    await drainMicrotasks();
    expect(errors).toEqual([failure]);
    expect(client.sent).toEqual([]);
  });

  it('logs a rejection that comes after its client closed at debug only, as platform-ws drops it', async () => {
    const failure = new Error('client gone');
    let reject: (error: unknown) => void = () => undefined;
    const client = new FakeClient();
    const errors: unknown[] = [];
    const debug: unknown[] = [];
    const logger = { error: (error: unknown) => errors.push(error), debug: (message: unknown) => debug.push(message) };
    MessageDispatcher.attach(
      client,
      [handler('slow', () => new Promise((_resolve, rejectWith) => (reject = rejectWith)))],
      new DispatchSettings(defaultMessageParser, false, logger),
    );
    client.receive('{"event":"slow"}');
    client.closeNow();
    reject(failure);
    await drainMicrotasks();
    expect(errors).toEqual([]);
    expect(debug).toEqual([failure]);
    expect(client.sent).toEqual([]);
  });

  it('logs a handler that throws synchronously, and carries on', async () => {
    const failure = new Error('sync');
    const { client, errors } = setup([
      handler('bad', () => {
        throw failure;
      }),
      handler('ok', async () => 'fine'),
    ]);
    client.receive('{"event":"bad"}');
    client.receive('{"event":"ok"}');
    await drainMicrotasks();
    expect(errors).toEqual([failure]);
    expect(client.sent).toEqual(['"fine"']);
  });

  it('logs an answer that cannot be serialised instead of throwing', async () => {
    const { client, errors } = setup([handler('big', async () => ({ n: 1n }))]);
    client.receive('{"event":"big"}');
    await drainMicrotasks();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TypeError);
    expect(client.sent).toEqual([]);
  });

  it.each([
    ['a few handlers (scanned)', 3],
    ['many handlers (indexed)', 40],
  ])('routes every event to its own handler with %s, the last of duplicates winning', async (_name, count) => {
    const handlers = Array.from({ length: count }, (_, i) => handler(`e${i}`, async () => ({ event: `r${i}` })));
    handlers.push(handler('e0', async () => ({ event: 'last' })));
    const { client } = setup(handlers);
    for (let i = 0; i < count; i++) client.receive(`{"event":"e${i}"}`);
    client.receive('{"event":"none"}');
    await drainMicrotasks();
    const expected = Array.from({ length: count }, (_, i) => JSON.stringify({ event: i === 0 ? 'last' : `r${i}` }));
    expect(client.sent).toEqual(expected);
  });

  it('uses one shared message listener for every client', () => {
    const first = setup([handler('a', async () => undefined)]).client;
    const second = setup([handler('b', async () => undefined)]).client;
    expect(first.listeners('message')).toHaveLength(1);
    expect(first.listeners('message')[0]).toBe(second.listeners('message')[0]);
  });
});
