import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsChatName, IsMessageId, IsMessageText, IsRoomName } from './limits.js';
import { MAX_HISTORY_LIMIT } from './ws-payloads.js';

/** `:room` of the `/api/rooms/:room/...` routes. */
export class RoomParams {
  @IsRoomName()
  room!: string;
}

/** `?since=ID&limit=N` */
export class MessagesQuery {
  @IsOptional()
  @IsMessageId()
  since?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_HISTORY_LIMIT)
  limit?: number;
}

/** `POST /api/rooms/:room/messages` body. */
export class PostMessageBody {
  /** Required unless the request is authenticated (then the principal's name is used). */
  @IsOptional()
  @IsChatName()
  from?: string;

  @IsMessageText()
  text!: string;
}
