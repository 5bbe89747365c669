import {
  type ArgumentMetadata,
  BadRequestException,
  Inject,
  Injectable,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import { ChatError } from '../chat-error.js';
import { CHAT_OPTIONS, type ResolvedChatOptions } from '../chat-options.js';
import { attachLimits, type ChatLimits } from './limits.js';
import { exceedsDepth, MAX_PAYLOAD_DEPTH, PayloadTooDeepError } from './payload-depth.js';

/**
 * Nest's ValidationPipe with the module's limits: transforms payloads into their DTO class,
 * strips unknown properties, and applies the configured text and name lengths.
 */
class LimitedValidationPipe extends ValidationPipe {
  protected readonly limits: ChatLimits;

  constructor(options: ResolvedChatOptions, exceptionFactory?: (errors: ValidationError[]) => unknown) {
    super({ transform: true, whitelist: true, stopAtFirstError: true, exceptionFactory });
    this.limits = { maxTextLength: options.maxTextLength, maxNameLength: options.maxNameLength };
  }

  // `any` as in ValidationPipe: callers get the DTO instance back.
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<any> {
    // Before class-transformer, which recurses through whatever it is given (and only what it
    // is given: the connected socket, say, is a parameter it leaves alone).
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the exception subclasses choose
    if (this.toValidate(metadata) && exceedsDepth(value, MAX_PAYLOAD_DEPTH)) return Promise.reject(this.tooDeep());
    return super.transform(value, metadata);
  }

  protected tooDeep(): unknown {
    return new PayloadTooDeepError();
  }

  protected override validate(object: object, validatorOptions?: ValidatorOptions) {
    attachLimits(object, this.limits);
    return super.validate(object, validatorOptions);
  }
}

/**
 * For gateways: a failure is a ChatError `invalid_payload` (sent as an `error` event). A
 * payload nested too deep is a PayloadTooDeepError, which the gateway's filter does not
 * answer: the FrameScreen answered that frame already.
 */
@Injectable()
export class WsPayloadPipe extends LimitedValidationPipe {
  constructor(@Inject(CHAT_OPTIONS) options: ResolvedChatOptions) {
    super(options, (errors) => new ChatError('invalid_payload', describeValidationErrors(errors)));
  }
}

/** For controllers: a failure is Nest's usual 400 with the list of problems. */
@Injectable()
export class HttpPayloadPipe extends LimitedValidationPipe {
  constructor(@Inject(CHAT_OPTIONS) options: ResolvedChatOptions) {
    super(options);
  }

  protected override tooDeep(): unknown {
    return new BadRequestException(new PayloadTooDeepError().message);
  }
}

/** "room must be ...; text must be ..." */
export function describeValidationErrors(errors: ValidationError[]): string {
  const problems: string[] = [];
  for (const error of errors) {
    problems.push(...Object.values(error.constraints ?? {}));
    if (error.children !== undefined && error.children.length > 0) {
      problems.push(describeValidationErrors(error.children));
    }
  }
  return problems.join('; ');
}
