import { ValidateBy, ValidateIf, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { isWireRef, MAX_REF_LENGTH } from '../bus/deliverable.js';
import { isMessageId } from '../bus/message-id.js';
import { MAX_ROOM_LENGTH, chatNameProblem, isMessageText, isRoomName } from '../names.js';

/** The configurable bounds that DTO validation applies. */
export interface ChatLimits {
  maxTextLength: number;
  maxNameLength: number;
}

export const DEFAULT_LIMITS: ChatLimits = { maxTextLength: 2000, maxNameLength: 32 };

// class-validator decorators are fixed when a class is declared, while the limits come from the
// module's options: the pipe records its limits for each object it validates, the rules read them.
const limitsByObject = new WeakMap<object, ChatLimits>();

/** For the object and the objects nested in it (a batch's messages): depth is bounded by the pipe's check. */
export function attachLimits(object: object, limits: ChatLimits): void {
  limitsByObject.set(object, limits);
  for (const value of Object.values(object)) {
    if (typeof value === 'object' && value !== null) attachLimits(value as object, limits);
  }
}

function limitsFor(args: ValidationArguments | undefined): ChatLimits {
  return (args && limitsByObject.get(args.object)) || DEFAULT_LIMITS;
}

/**
 * An optional field: absent (undefined) skips its other rules; anything else, null included,
 * must pass them. (class-validator's IsOptional also lets null through, which then reached
 * the bus and the clients as a sender or member named null.)
 */
export function MayBeAbsent(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
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
        validate: (value, args) => chatNameProblem(value, limitsFor(args).maxNameLength) === null,
        defaultMessage: (args) => `${args?.property} ${chatNameProblem(args?.value, limitsFor(args).maxNameLength)}`,
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
        defaultMessage: (args) =>
          hasTextLength(args?.value, limitsFor(args).maxTextLength)
            ? `${args?.property} must be well-formed Unicode (a lone surrogate cannot be stored)`
            : `${args?.property} must be a string of 1 to ${limitsFor(args).maxTextLength} characters`,
      },
    },
    options,
  );
}

function hasTextLength(value: unknown, maxLength: number): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= maxLength;
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
        validate: (value) => isWireRef(value),
        defaultMessage: (args) =>
          `${args?.property} must be a number or a string of at most ${MAX_REF_LENGTH} characters of well-formed Unicode`,
      },
    },
    options,
  );
}

/** A page size: a whole number from 1 to `max` (a JSON number; a query string is converted by plainDecimal). */
export function IsPageLimit(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPageLimit',
      validator: {
        validate: (value) => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= max,
        defaultMessage: (args) => `${args?.property} must be a whole number from 1 to ${max}, in plain decimal digits`,
      },
    },
    options,
  );
}

// Digits only, no sign, no leading zero: what Number() would also read as hex (0x10),
// exponent (1e2), with spaces or a sign (" 5", "+5") or as a leading-zero form ("05") is refused.
// Seven digits at most, so the number is exact and the check cheap whatever the length sent.
const PLAIN_DECIMAL = /^[1-9][0-9]{0,6}$/;

/**
 * For `@Transform`: a query string in plain decimal becomes its number; anything else is left
 * as it came, for the validation rules to refuse.
 */
export function plainDecimal({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && PLAIN_DECIMAL.test(value) ? Number(value) : value;
}
