import { Transform } from 'class-transformer';
import { IsChatName, IsMessageId, IsMessageText, IsPageLimit, IsRef, IsRoomName, MayBeAbsent } from './limits.js';

export const MAX_HISTORY_LIMIT = 500;
export const DEFAULT_HISTORY_LIMIT = 50;

// An empty name means "no name chosen yet" (the page sends what the user typed, maybe nothing).
// Only a string: null and other types stay as they are, for the name rules to refuse.
const blankToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** `join` {room, name?, since?} */
export class JoinPayload {
  @IsRoomName()
  room!: string;

  @Transform(blankToUndefined)
  @MayBeAbsent()
  @IsChatName()
  name?: string;

  @MayBeAbsent()
  @IsMessageId()
  since?: string;
}

/** `message` {room, text, ref?} */
export class MessagePayload {
  @IsRoomName()
  room!: string;

  @IsMessageText()
  text!: string;

  @MayBeAbsent()
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

  @MayBeAbsent()
  @IsMessageId()
  before?: string;

  @MayBeAbsent()
  @IsPageLimit(MAX_HISTORY_LIMIT)
  limit?: number;
}
