import { ValidateBy, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { isRef } from '../chat-error.js';
import { isMessageId } from '../bus/message-id.js';
import { MAX_ROOM_LENGTH, isChatName, isMessageText, isRoomName } from '../names.js';

/** The configurable bounds that DTO validation applies. */
export interface ChatLimits {
  maxTextLength: number;
  maxNameLength: number;
}

export const DEFAULT_LIMITS: ChatLimits = { maxTextLength: 2000, maxNameLength: 32 };

// class-validator decorators are fixed when a class is declared, while the limits come from the
// module's options: the pipe records its limits for each object it validates, the rules read them.
const limitsByObject = new WeakMap<object, ChatLimits>();

export function attachLimits(object: object, limits: ChatLimits): void {
  limitsByObject.set(object, limits);
}

function limitsFor(args: ValidationArguments | undefined): ChatLimits {
  return (args && limitsByObject.get(args.object)) || DEFAULT_LIMITS;
}

export function IsRoomName(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRoomName',
      validator: {
        validate: (value) => isRoomName(value),
        defaultMessage: (args) =>
          `${args?.property} must be 1 to ${MAX_ROOM_LENGTH} characters without spaces or control characters`,
      },
    },
    options,
  );
}

export function IsChatName(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isChatName',
      validator: {
        validate: (value, args) => isChatName(value, limitsFor(args).maxNameLength),
        defaultMessage: (args) =>
          `${args?.property} must be 1 to ${limitsFor(args).maxNameLength} printable characters, no spaces at either end`,
      },
    },
    options,
  );
}

export function IsMessageText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMessageText',
      validator: {
        validate: (value, args) => isMessageText(value, limitsFor(args).maxTextLength),
        defaultMessage: (args) => `${args?.property} must be a string of 1 to ${limitsFor(args).maxTextLength} characters`,
      },
    },
    options,
  );
}

export function IsMessageId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMessageId',
      validator: {
        validate: (value) => isMessageId(value),
        defaultMessage: (args) => `${args?.property} must be a message id like "1700000000000-0"`,
      },
    },
    options,
  );
}

export function IsRef(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRef',
      validator: {
        validate: (value) => isRef(value),
        defaultMessage: (args) => `${args?.property} must be a number or a string of at most 64 characters`,
      },
    },
    options,
  );
}
