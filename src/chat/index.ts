export { ChatModule } from './chat.module.js';
export type {
  ChatClassMetadata,
  ChatFeatures,
  ChatModuleAsyncOptions,
  ChatModuleOptions,
  ChatRuntimeOptions,
  RateLimit,
  RestRateLimit,
  RoomAccessHook,
  ResolvedRateLimit,
  ResolvedChatOptions,
} from './chat-options.js';
export { CHAT_OPTIONS } from './chat-options.js';
export type { ChatPaths } from './chat-paths.js';
export { CHAT_BUS, type ChatBus, type HistoryPage, type HistoryQuery } from './bus/chat-bus.js';
export type { ChatEvent, ChatMessage, MessageDraft, MessageRef, PresenceNotice } from './bus/chat-events.js';
export type { IdempotencyWindow } from './bus/idempotency-window.js';
export { InMemoryChatBus, type InMemoryChatBusOptions } from './bus/in-memory-chat-bus.js';
export { compareMessageIds, isMessageId } from './bus/message-id.js';
export { ChatService, type Sender } from './chat.service.js';
export {
  ChatServer,
  type ConnectionInfo,
  type DisconnectOptions,
  type HistoryOptions,
  type PostOptions,
  type RoomPresenceSnapshot,
} from './chat-server.js';
export { RoomAccess, isAnonymousPrincipal, type AnonymousPrincipal } from './room-access.js';
export { API_SENDER_ID, SYSTEM_SENDER_ID, SYSTEM_SENDER_NAME, principalId } from './sender-id.js';
export { ConnectionRegistry, type RoomSummary } from './connection-registry.js';
export { JsonChatGateway } from './json-chat.gateway.js';
export { TextChatGateway } from './text-chat.gateway.js';
export { TornadoChatGateway } from './tornado-chat.gateway.js';
export { RoomsController } from './rooms.controller.js';
export { PageController } from './page/page.controller.js';
export { ChatBusUnavailableError, RoomLimitError } from './bus/bus-errors.js';
export { ChatError, type ChatErrorCode, type ChatErrorPayload } from './chat-error.js';
export { RedisChatBus, redisChatBus, type RedisChatBusOptions } from './bus/redis/redis-chat-bus.js';
export { CHAT_BUS_DRIVER, type ChatBusDriver, type ChatRoomState } from './bus/drivers/chat-bus-driver.js';
export { InMemoryBusModule, inMemoryBusDriver } from './bus/drivers/in-memory-bus.module.js';
export { RedisBusModule, redisBusDriver, type RedisBusModuleOptions } from './bus/drivers/redis-bus.module.js';
export { CHAT_PRESENCE, type PresenceMember, type RoomPresence, type Roster } from './presence/room-presence.js';
export { LocalPresence } from './presence/local-presence.js';
export { chatNameProblem, isChatName, isReservedName, isRoomName } from './names.js';
