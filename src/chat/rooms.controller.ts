import {
  BadRequestException,
  Body,
  Controller,
  Get,
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
import type { ChatMessage } from './bus/chat-events.js';
import { BusUnavailableHttpFilter } from './bus-unavailable.filter.js';
import { ChatErrorHttpFilter } from './chat-error-http.filter.js';
import { ChatService } from './chat.service.js';
import type { RoomSummary } from './connection-registry.js';
import { HttpPayloadPipe } from './dto/chat-validation.pipe.js';
import { MessagesQuery, PostMessageBody, RoomParams } from './dto/rest-payloads.js';
import { DEFAULT_HISTORY_LIMIT } from './dto/ws-payloads.js';
import { JsonBodyGuard } from './json-body.guard.js';
import { RestRateLimitGuard } from './rest-rate-limit.guard.js';

/** Set on history responses when messages after `since` are no longer kept. */
export const TRUNCATED_HEADER = 'X-History-Truncated';

/** Rooms, their history, and posting into them from the server side (SPEC.md, REST rows). */
@Controller('api/rooms')
@UsePipes(HttpPayloadPipe)
@UseFilters(BusUnavailableHttpFilter, ChatErrorHttpFilter)
export class RoomsController {
  constructor(private readonly chat: ChatService) {}

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
    @Res({ passthrough: true }) response: { setHeader(name: string, value: string): unknown },
  ): Promise<ChatMessage[]> {
    const page = await this.chat.history(room, { since, limit: limit ?? DEFAULT_HISTORY_LIMIT });
    if (page.truncated) response.setHeader(TRUNCATED_HEADER, 'true');
    return page.messages;
  }

  /**
   * Reaches every member of the room, on either protocol, like a message from a client. When
   * the host app authenticated the request (`request.principal`, JWT mode), the message is
   * from that principal and `from` is ignored. Rate-limited per client (429), JSON only (415).
   */
  @Post(':room/messages')
  @HttpCode(HttpStatus.CREATED)
  @UseGuards(RestRateLimitGuard, JsonBodyGuard)
  post(
    @Param() { room }: RoomParams,
    @Body() { from, text }: PostMessageBody,
    @Req() request: { principal?: { name?: unknown }; ip?: string },
  ): Promise<ChatMessage> {
    const principalName = request.principal?.name;
    const sender = typeof principalName === 'string' ? principalName : from;
    if (sender === undefined) throw new BadRequestException(['from is required (or an authenticated request)']);
    // Room creation is limited per client: the principal, or else the address.
    const client = typeof principalName === 'string' ? `principal:${principalName}` : `address:${request.ip ?? ''}`;
    return this.chat.postAs(sender, room, text, client);
  }
}
