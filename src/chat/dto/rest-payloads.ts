import { Transform } from 'class-transformer';
import {
  IsChatName,
  IsMessageId,
  IsMessageText,
  IsPageLimit,
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
