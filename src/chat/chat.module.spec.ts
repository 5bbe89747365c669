import 'reflect-metadata';
import { ChatModule } from './chat.module.js';
import { JsonChatGateway } from './json-chat.gateway.js';
import { PageController } from './page/page.controller.js';
import { RoomsController } from './rooms.controller.js';
import { TextChatGateway } from './text-chat.gateway.js';

describe('ChatModule publicMetadata', () => {
  it('puts every given entry on the controllers and gateways the module defines', () => {
    const marker = Symbol('host:isPublic');
    ChatModule.forRoot({
      publicMetadata: [
        { key: 'spec:public', value: true },
        { key: marker, value: 'yes' },
      ],
    });
    for (const target of [JsonChatGateway, TextChatGateway, RoomsController, PageController]) {
      expect([Reflect.getMetadata('spec:public', target), Reflect.getMetadata(marker, target)]).toEqual([true, 'yes']);
    }
  });

  it('marks only the parts that are switched on, also from forRootAsync', () => {
    ChatModule.forRootAsync({
      useFactory: () => ({}),
      publicMetadata: { key: 'spec:async', value: 1 },
      textProtocol: false,
      page: false,
    });
    expect(Reflect.getMetadata('spec:async', JsonChatGateway)).toBe(1);
    expect(Reflect.getMetadata('spec:async', RoomsController)).toBe(1);
    expect(Reflect.getMetadata('spec:async', TextChatGateway)).toBeUndefined();
    expect(Reflect.getMetadata('spec:async', PageController)).toBeUndefined();
  });

  it('sets nothing without the option', () => {
    const targets = [JsonChatGateway, TextChatGateway, RoomsController, PageController];
    const before = targets.map((target) => Reflect.getOwnMetadataKeys(target));
    ChatModule.forRoot();
    expect(targets.map((target) => Reflect.getOwnMetadataKeys(target))).toEqual(before);
  });
});
