import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsChatName, IsMessageId, IsMessageText, IsRef, IsRoomName } from './limits.js';

export const MAX_HISTORY_LIMIT = 500;
export const DEFAULT_HISTORY_LIMIT = 50;

// An empty name means "no name chosen yet" (the page sends what the user typed, maybe nothing).
const blankToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** `join` {room, name?, since?} */
export class JoinPayload {
  @IsRoomName()
  room!: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsChatName()
  name?: string;

  @IsOptional()
  @IsMessageId()
  since?: string;
}

/** `message` {room, text, ref?} */
export class MessagePayload {
  @IsRoomName()
  room!: string;

  @IsMessageText()
  text!: string;

  @IsOptional()
  @IsRef()
  ref?: string | number;
}

/** `leave` {room} */
export class LeavePayload {
  @IsRoomName()
  room!: string;
}

/** `nick` {name} */
export class NickPayload {
  @IsChatName()
  name!: string;
}

/** `history` {room, before?, limit?} */
export class HistoryPayload {
  @IsRoomName()
  room!: string;

  @IsOptional()
  @IsMessageId()
  before?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_HISTORY_LIMIT)
  limit?: number;
}
