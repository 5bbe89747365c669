import {
  Inject,
  Module,
  SetMetadata,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
  type Type,
} from '@nestjs/common';
import { ApplicationConfig, ModulesContainer } from '@nestjs/core';
import { assertGatewaysApart } from '../mount/gateway-places.js';
import { RouteCollisionReport } from '../mount/route-collisions.js';
import { CHAT_BUS, type ChatBus } from './bus/chat-bus.js';
import { CHAT_BUS_DRIVER, type ChatBusDriver } from './bus/drivers/chat-bus-driver.js';
import { inMemoryBusDriver } from './bus/drivers/in-memory-bus.module.js';
import {
  CHAT_OPTIONS,
  resolveChatOptions,
  type ChatClassMetadata,
  type ChatFeatures,
  type ChatModuleAsyncOptions,
  type ChatModuleOptions,
  type ResolvedChatOptions,
} from './chat-options.js';
import { resolveChatPaths } from './chat-paths.js';
import { ChatServer } from './chat-server.js';
import { ChatService } from './chat.service.js';
import { ConnectionRegistry } from './connection-registry.js';
import { JsonChatGateway } from './json-chat.gateway.js';
import { controllerAt, gatewaysAt } from '../mount/mounted-classes.js';
import { PageDocument } from './page/page-document.js';
import { PageController } from './page/page.controller.js';
import { LocalPresence } from './presence/local-presence.js';
import { CHAT_PRESENCE, type RoomPresence } from './presence/room-presence.js';
import { PublicFiles } from './page/public-files.js';
import { RoomAccess } from './room-access.js';
import { RoomFanout } from './room-fanout.js';
import { RoomsController } from './rooms.controller.js';
import { TextChatGateway } from './text-chat.gateway.js';
import { TornadoChatGateway } from './tornado-chat.gateway.js';

const CHAT_ROUTES_ADVICE =
  "move one of them (ChatModule's paths.page and paths.rest options; CHAT_PAGE_PATH and CHAT_REST_PREFIX of the service)";

/** Checked while the module is created: its gateways and the host's on distinct paths. */
const GATEWAYS_APART = Symbol('GATEWAYS_APART');

const busProvider: Provider = {
  provide: CHAT_BUS,
  inject: [CHAT_OPTIONS, ConnectionRegistry, { token: CHAT_BUS_DRIVER, optional: true }],
  useFactory: (
    options: ResolvedChatOptions,
    registry: ConnectionRegistry,
    driver: ChatBusDriver | undefined,
  ): ChatBus => {
    const { bus } = options;
    if (bus === undefined) {
      // The bus module's driver (RedisBusModule, ...), else a bus of this instance alone.
      return (driver ?? inMemoryBusDriver).createBus(options, { isOccupied: (room) => registry.memberCount(room) > 0 });
    }
    return typeof bus === 'function' ? bus(options) : bus;
  },
};

const presenceProvider: Provider = {
  provide: CHAT_PRESENCE,
  inject: [CHAT_BUS, ConnectionRegistry, CHAT_OPTIONS],
  useFactory: (bus: ChatBus, registry: ConnectionRegistry, options: ResolvedChatOptions): RoomPresence =>
    bus.presence ?? new LocalPresence(registry, options.memberListLimit),
};

const gateways: readonly unknown[] = [JsonChatGateway, TextChatGateway, TornadoChatGateway];
// Mounted at another path, a gateway is a subclass of its base (mounted-classes.ts).
const isGateway = (provider: Provider): provider is Type =>
  typeof provider === 'function' &&
  gateways.some((base) => provider === base || provider.prototype instanceof (base as Type));

/** Puts the host's `@Public()`-style metadata on the chat's classes (ChatFeatures.publicMetadata). */
function markPublic(classes: Type[], metadata: ChatFeatures['publicMetadata']): void {
  const entries: readonly ChatClassMetadata[] =
    metadata === undefined ? [] : Array.isArray(metadata) ? metadata : [metadata as ChatClassMetadata];
  for (const { key, value } of entries) {
    for (const target of classes) SetMetadata(key, value)(target);
  }
}

/**
 * The chat: JSON protocol on `ws /chat`, plain-text protocol on `ws /`, the Tornado chat room
 * protocol on `ws /tornado`, REST under `/api/rooms`
 * and the browser page at `/` (README, "Paths"), each movable with the `paths` option (chat-paths.ts). Needs a WebSocket adapter on the application
 * (`app.useWebSocketAdapter(new Rfc6455Adapter(app))`).
 *
 * ```ts
 * ChatModule.forRoot({ historySize: 200 })
 * ChatModule.forRootAsync({
 *   imports: [ConfigModule], inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ historySize: config.get('CHAT_HISTORY_SIZE') }),
 *   page: false,
 * })
 * // A host whose global guard lets through what carries its @Public() marker:
 * ChatModule.forRoot({ publicMetadata: { key: IS_PUBLIC_KEY, value: true } })
 * // Several instances on one Redis (RedisModule.forRoot provides RedisConnections):
 * ChatModule.forRootAsync({
 *   inject: [RedisConnections],
 *   useFactory: (redis: RedisConnections) => ({ bus: redisChatBus(redis, { prefix: 'chat:' }) }),
 * })
 * // The same with the Redis bus driver's module (connections, bus and health check together):
 * ChatModule.forRootAsync({ imports: [RedisBusModule.forRoot({ url, prefix: 'chat:' })], useFactory: () => ({}) })
 * ```
 */
@Module({})
export class ChatModule implements OnApplicationShutdown {
  constructor(
    @Inject(CHAT_OPTIONS) private readonly options: ResolvedChatOptions,
    @Inject(CHAT_BUS) private readonly bus: ChatBus,
  ) {}

  static forRoot(options: ChatModuleOptions = {}): DynamicModule {
    const resolved = resolveChatOptions(options);
    return ChatModule.define(options, [], { provide: CHAT_OPTIONS, useValue: resolved });
  }

  static forRootAsync(options: ChatModuleAsyncOptions): DynamicModule {
    return ChatModule.define(options, options.imports ?? [], {
      provide: CHAT_OPTIONS,
      inject: options.inject ?? [],
      useFactory: async (...args: unknown[]) => resolveChatOptions(await options.useFactory(...args)),
    });
  }

  private static define(
    features: ChatFeatures,
    imports: NonNullable<ChatModuleAsyncOptions['imports']>,
    optionsProvider: Provider,
  ): DynamicModule {
    const textProtocol = features.textProtocol !== false;
    const tornadoProtocol = features.tornadoProtocol !== false;
    const paths = resolveChatPaths(features.paths, { textProtocol, tornadoProtocol });
    const providers: Provider[] = [
      optionsProvider,
      busProvider,
      presenceProvider,
      ConnectionRegistry,
      RoomFanout,
      RoomAccess,
      ChatService,
      ChatServer,
      ...gatewaysAt(JsonChatGateway, paths.json),
    ];
    const controllers: Type[] = [];
    if (textProtocol) providers.push(...gatewaysAt(TextChatGateway, paths.text));
    if (tornadoProtocol) providers.push(...gatewaysAt(TornadoChatGateway, paths.tornado));
    if (features.rest !== false)
      controllers.push(controllerAt(RoomsController, `${paths.rest}/rooms`.replace('//', '/')));
    if (features.page !== false) {
      providers.push({ provide: PublicFiles, useFactory: () => new PublicFiles() });
      providers.push({
        provide: PageDocument,
        useValue: new PageDocument({ socketPath: paths.json[0], pagePath: paths.page, restPrefix: paths.rest }),
      });
      controllers.push(controllerAt(PageController, paths.page));
    }
    markPublic([...controllers, ...providers.filter(isGateway)], features.publicMetadata);
    providers.push({
      provide: GATEWAYS_APART,
      inject: [ModulesContainer],
      useFactory: (modules: ModulesContainer) => assertGatewaysApart(modules),
    });
    providers.push({
      provide: RouteCollisionReport,
      inject: [ModulesContainer, ApplicationConfig],
      useFactory: (modules: ModulesContainer, config: ApplicationConfig) =>
        new RouteCollisionReport(modules, config, 'ChatModule', new Set(controllers), CHAT_ROUTES_ADVICE),
    });
    return {
      module: ChatModule,
      imports,
      providers,
      controllers,
      exports: [CHAT_BUS, CHAT_PRESENCE, ChatService, ConnectionRegistry, ChatServer, RoomAccess],
    };
  }

  // After the gateways' servers have closed (and their clients said goodbye through the bus).
  async onApplicationShutdown(): Promise<void> {
    if (typeof this.options.bus !== 'object') await this.bus.close?.();
  }
}
