import 'reflect-metadata';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { gatewayAt } from '../mount/mounted-classes.js';
import { JsonChatGateway } from './json-chat.gateway.js';
import { subscribedEvents } from './subscribed-events.js';

const CHAT_EVENTS = ['join', 'message', 'leave', 'nick', 'history'];

/** What Nest instantiates: an object of the (possibly mounted) class. */
const instanceOf = (type: abstract new (...args: never[]) => object): object => Object.create(type.prototype) as object;

describe('subscribedEvents', () => {
  it('lists the JSON gateway handlers, at its own path and mounted at another', () => {
    expect(subscribedEvents(instanceOf(JsonChatGateway)).sort()).toEqual([...CHAT_EVENTS].sort());
    expect(subscribedEvents(instanceOf(gatewayAt(JsonChatGateway, '/elsewhere'))).sort()).toEqual(
      [...CHAT_EVENTS].sort(),
    );
  });

  it('leaves out a handler a subclass overrides with a plain method, as Nest does', () => {
    @WebSocketGateway({ path: '/quiet' })
    class WithoutNick extends JsonChatGateway {
      override nick(): Promise<void> {
        return Promise.resolve();
      }
    }
    expect(subscribedEvents(instanceOf(WithoutNick))).not.toContain('nick');
  });

  it('lists each event once and ignores methods that are not handlers', () => {
    class Base {
      @SubscribeMessage('a')
      first(): void {}
      helper(): void {}
    }
    class Derived extends Base {
      @SubscribeMessage('a')
      second(): void {}
      @SubscribeMessage('b')
      third(): void {}
    }
    expect(subscribedEvents(instanceOf(Derived))).toEqual(['a', 'b']);
  });
});
