import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import type { MessageRef } from '../bus/chat-events.js';
import {
  IsChatName,
  IsMessageId,
  IsMessageText,
  IsPageLimit,
  IsRef,
  IsRoomName,
  MayBeAbsent,
  plainDecimal,
} from './limits.js';
import { MAX_HISTORY_LIMIT } from './ws-payloads.js';

/** `:room` of the `/api/rooms/:room/...` routes. */
export class RoomParams {
  @IsRoomName()
  room!: string;
}

/** `?since=ID&limit=N` */
export class MessagesQuery {
  @MayBeAbsent()
  @IsMessageId()
  since?: string;

  @Transform(plainDecimal)
  @MayBeAbsent()
  @IsPageLimit(MAX_HISTORY_LIMIT)
  limit?: number;
}

/** `POST /api/rooms/:room/messages` body. */
export class PostMessageBody {
  /**
   * Required unless the request is authenticated (then the principal's name is used). Never a
   * name shaped like a peer address: those are the plain-text clients' (names.ts).
   */
  @MayBeAbsent()
  @IsChatName()
  from?: string;

  @IsMessageText()
  text!: string;
}

/** Messages one `POST .../messages/batch` may carry. */
export const MAX_BATCH_MESSAGES = 100;

/** One message of a batch: `from` defaults to the batch's, `ref` is its idempotency key. */
export class BatchMessage {
  @MayBeAbsent()
  @IsChatName()
  from?: string;

  @IsMessageText()
  text!: string;

  @MayBeAbsent()
  @IsRef()
  ref?: MessageRef;
}

/** `POST /api/rooms/:room/messages/batch` body: 1 to MAX_BATCH_MESSAGES messages, stored in this order. */
export class PostBatchBody {
  /** The sender of the messages without a `from` of their own (ignored when authenticated). */
  @MayBeAbsent()
  @IsChatName()
  from?: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_MESSAGES)
  @ValidateNested({ each: true })
  @Type(() => BatchMessage)
  messages!: BatchMessage[];
}
