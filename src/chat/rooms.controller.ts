import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ChatMessage } from './bus/chat-events.js';
import { isWireRef, MAX_REF_LENGTH } from './bus/deliverable.js';
import { BusUnavailableHttpFilter } from './bus-unavailable.filter.js';
import { ChatErrorHttpFilter } from './chat-error-http.filter.js';
import { ChatService } from './chat.service.js';
import type { RoomSummary } from './connection-registry.js';
import { HttpPayloadPipe } from './dto/chat-validation.pipe.js';
import { MAX_BATCH_MESSAGES, MessagesQuery, PostBatchBody, PostMessageBody, RoomParams } from './dto/rest-payloads.js';
import { DEFAULT_HISTORY_LIMIT } from './dto/ws-payloads.js';
import { JsonBodyGuard } from './json-body.guard.js';
import { messagesFor } from './own-ref.js';
import { restClientKey, RestRateCost, RestRateLimitGuard } from './rest-rate-limit.guard.js';
import { RoomAccess, restPrincipal } from './room-access.js';
import { API_SENDER_ID, principalId } from './sender-id.js';

type RestRequest = Parameters<typeof restPrincipal>[0];
type PostRequest = RestRequest & Parameters<typeof restClientKey>[0] & { principal?: { name?: unknown } };

/** The `ref` of a REST post (README, "Sending exactly once"). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Set on history responses when messages after `since` are no longer kept. */
export const TRUNCATED_HEADER = 'X-History-Truncated';

/** Rooms, their history, and posting into them from the server side (README, "Paths": the REST rows). */
@Controller('api/rooms')
@UsePipes(HttpPayloadPipe)
@UseFilters(BusUnavailableHttpFilter, ChatErrorHttpFilter)
export class RoomsController {
  constructor(
    private readonly chat: ChatService,
    private readonly access: RoomAccess,
    // Headers through the host's HTTP platform (Express or Fastify), like Nest's own code.
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Rooms with members, on every instance when the presence is shared (Redis). */
  @Get()
  list(): Promise<RoomSummary[]> {
    return this.chat.rooms();
  }

  /** Oldest first: the first `limit` after `since`, or the newest `limit` without it. */
  @Get(':room/messages')
  async messages(
    @Param() { room }: RoomParams,
    @Query() { since, limit }: MessagesQuery,
    @Res({ passthrough: true }) response: unknown,
    @Req() request: RestRequest,
  ): Promise<ChatMessage[]> {
    if (!(await this.access.mayJoin(restPrincipal(request), room))) throw refused('read', room);
    const page = await this.chat.history(room, { since, limit: limit ?? DEFAULT_HISTORY_LIMIT });
    if (page.truncated) this.adapterHost.httpAdapter.setHeader(response, TRUNCATED_HEADER, 'true');
    return messagesFor(page.messages, restSenderId(request));
  }

  /**
   * Reaches every member of the room, on either protocol, like a message from a client. When
   * the host app authenticated the request (`request.principal`, JWT mode), the message is
   * from that principal and `from` is ignored. `fromId` is the principal's id, or `"api"`.
   * 403 when `canPost` refuses; rate-limited per client (429), JSON only (415). With an
   * `Idempotency-Key` header (the message's `ref`, scoped to the sender id and the room), a
   * resend is answered with the message stored first, and nothing is stored or delivered again.
   */
  @Post(':room/messages')
  @HttpCode(HttpStatus.CREATED)
  @UseGuards(RestRateLimitGuard, JsonBodyGuard)
  async post(
    @Param() { room }: RoomParams,
    @Body() { from, text }: PostMessageBody,
    @Req() request: PostRequest,
    @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey?: string,
  ): Promise<ChatMessage> {
    if (idempotencyKey !== undefined && !isWireRef(idempotencyKey))
      throw new BadRequestException([`${IDEMPOTENCY_KEY_HEADER} must be at most ${MAX_REF_LENGTH} characters`]);
    const sender = principalName(request) ?? from;
    if (sender === undefined) throw new BadRequestException(['from is required (or an authenticated request)']);
    if (!(await this.access.mayPost(restPrincipal(request, sender), room))) throw refused('post in', room);
    // Room creation is limited per client: the principal, or else the address.
    const sending = { from: sender, fromId: restSenderId(request) };
    return this.chat.postAs(sending, room, text, restClientKey(request), idempotencyKey);
  }

  /**
   * Many messages in one request (README, "Publishing in batches"): 1 to MAX_BATCH_MESSAGES
   * `{text, from?, ref?}`, validated as a whole first (400 naming the item), then stored in
   * their order in one round trip to the store and delivered in that order. 201 with the stored
   * messages in that order; an item whose `ref` was already stored (the item's Idempotency-Key)
   * answers the message stored first. Access is checked once per sender name, room creation is
   * charged once, the rate limit counts every message. When the store fails, 503 for the whole
   * batch (`maybe_stored` when some of it may be stored: resend it all with the same refs).
   */
  @Post(':room/messages/batch')
  @HttpCode(HttpStatus.CREATED)
  @RestRateCost(batchCost)
  @UseGuards(RestRateLimitGuard, JsonBodyGuard)
  async postBatch(
    @Param() { room }: RoomParams,
    @Body() { from, messages }: PostBatchBody,
    @Req() request: PostRequest,
  ): Promise<ChatMessage[]> {
    const principal = principalName(request);
    const fromId = restSenderId(request);
    const posts = messages.map((message, index) => {
      const sender = principal ?? message.from ?? from;
      if (sender === undefined)
        throw new BadRequestException([
          `messages.${index}.from is required (or a batch from, or an authenticated request)`,
        ]);
      return { sender: { from: sender, fromId }, text: message.text, ref: message.ref };
    });
    for (const sender of new Set(posts.map((post) => post.sender.from))) {
      if (!(await this.access.mayPost(restPrincipal(request, sender), room))) throw refused('post in', room);
    }
    return this.chat.postManyAs(posts, room, restClientKey(request));
  }
}

/** A batch costs its message count in the rate limit (at most the largest batch: larger ones get 400). */
function batchCost(body: unknown): number {
  const messages = (body as { messages?: unknown } | undefined)?.messages;
  return Array.isArray(messages) ? Math.min(Math.max(messages.length, 1), MAX_BATCH_MESSAGES) : 1;
}

/** The name of the principal the host app authenticated the request as, if any. */
function principalName(request: { principal?: { name?: unknown } }): string | undefined {
  const name = request.principal?.name;
  return typeof name === 'string' ? name : undefined;
}

/** The sender id of a REST caller: its principal's, or the one all anonymous callers share. */
function restSenderId(request: { principal?: unknown }): string {
  return principalId(request.principal) ?? API_SENDER_ID;
}

function refused(action: string, room: string): ForbiddenException {
  return new ForbiddenException(`you may not ${action} room ${JSON.stringify(room)}`);
}
