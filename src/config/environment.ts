import 'reflect-metadata';
import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsNumber,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const normalised = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalised)) return true;
  if (['false', '0', 'no', 'off'].includes(normalised)) return false;
  return value;
};

/**
 * Every environment variable the service reads (SPEC.md, "Configuration").
 * This class is the only place that knows their names, types and defaults.
 */
export class Environment {
  @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Type(() => Number) @IsInt() @Min(1) @Max(2 ** 31 - 1)
  WS_MAX_PAYLOAD = 1_048_576;

  @Transform(toBoolean) @IsBoolean()
  WS_PERMESSAGE_DEFLATE = true;

  @Type(() => Number) @IsInt() @Min(0)
  WS_HEARTBEAT_MS = 30_000;

  @Type(() => Number) @IsInt() @Min(0)
  WS_MAX_CONNECTIONS = 0;

  @Type(() => Number) @IsInt() @Min(1)
  WS_HANDSHAKE_TIMEOUT_MS = 10_000;

  @Type(() => Number) @IsInt() @Min(1024) @Max(1_048_576)
  WS_MAX_HEADER_BYTES = 16_384;

  @IsString()
  WS_ALLOWED_ORIGINS = '';

  @Type(() => Number) @IsInt() @Min(1024)
  WS_SEND_BUFFER_LIMIT = 4_194_304;

  /** Unset: on, except with NODE_ENV=production (an unlimited echo is a free CPU sink). */
  @Transform(toBoolean) @IsBoolean()
  ECHO_ENABLED = true;

  /** Read for one default only (ECHO_ENABLED); any value is accepted. */
  @IsString()
  NODE_ENV = '';

  @Type(() => Number) @IsInt() @Min(1) @Max(100_000)
  CHAT_HISTORY_SIZE = 100;

  @Type(() => Number) @IsInt() @Min(1) @Max(10_000)
  CHAT_MAX_ROOMS_PER_CONNECTION = 50;

  @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000)
  CHAT_RATE_LIMIT_BURST = 20;

  /** 0 turns the per-connection rate limit off. */
  @Type(() => Number) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1_000_000)
  CHAT_RATE_LIMIT_PER_SECOND = 10;

  /** Largest JSON chat frame; unset: derived from the longest text (6 * 2000 + 2048 = 14048). */
  @IsOptional() @Type(() => Number) @IsInt() @Min(256) @Max(2 ** 31 - 1)
  CHAT_MAX_FRAME_BYTES: number | undefined = undefined;

  @IsIn(['memory', 'redis'])
  BUS: 'memory' | 'redis' = 'memory';

  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Matches(/^[A-Za-z0-9:_.{}-]{1,64}$/, {
    message: 'REDIS_PREFIX must be 1 to 64 characters of letters, digits and :_.{}-',
  })
  REDIS_PREFIX = 'chat:';

  @IsOptional() @IsString()
  AUTH_JWT_SECRET = '';

  @IsIn(['text', 'json'])
  LOG_FORMAT: 'text' | 'json' = 'text';
}

export class InvalidConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'InvalidConfigurationError';
  }
}

/** Parses and validates the environment; throws naming every bad variable. */
export function loadEnvironment(
  env: Record<string, string | undefined> = process.env,
): Environment {
  const known = Object.keys(new Environment());
  const present: Record<string, string> = {};
  for (const name of known) {
    const value = env[name];
    if (value !== undefined && value !== '') present[name] = value;
  }
  const parsed = plainToInstance(Environment, present);
  const errors = validateSync(parsed, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new InvalidConfigurationError(
      errors.map((error) => {
        const raw = JSON.stringify(env[error.property] ?? '');
        const reasons = Object.values(error.constraints ?? {}).join('; ');
        return `${error.property}=${raw}: ${reasons}`;
      }),
    );
  }
  if (present.ECHO_ENABLED === undefined && parsed.NODE_ENV === 'production') parsed.ECHO_ENABLED = false;
  return parsed;
}

export function parseOriginList(list: string): string[] {
  return list
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
}
