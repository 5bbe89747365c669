import { type DynamicModule, type FactoryProvider, Module, type ModuleMetadata, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { API_AUTH_PREFIXES, ApiAuthGuard } from './api-auth.guard.js';
import type { TokenVerifierOptions } from './token-options.js';
import { TokenVerifier } from './token-verifier.js';

/** Where the module's global guard asks for a token: the chat's REST prefix(es). */
export interface ApiGuardOptions {
  /** Path prefixes whose every request needs a token. Default `['/api']`. */
  prefixes?: string[];
}

export interface AuthModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'>, ApiGuardOptions {
  /** Providers handed to `useFactory`, e.g. `[ConfigService]`. */
  inject?: FactoryProvider['inject'];
  useFactory: (...args: any[]) => TokenVerifierOptions | Promise<TokenVerifierOptions>;
}

/**
 * JWT mode: guards the REST API (every request under `/api`, or `prefixes`) and provides the TokenVerifier, which the
 * WebSocket adapter's `authorize` hook uses too (`upgradeAuthorizer(app.get(TokenVerifier))`),
 * so both share one key cache.
 */
@Module({})
export class AuthModule {
  static forRoot(options: TokenVerifierOptions, guard: ApiGuardOptions = {}): DynamicModule {
    return AuthModule.with({ provide: TokenVerifier, useValue: new TokenVerifier(options) }, guard);
  }

  static forRootAsync(options: AuthModuleAsyncOptions): DynamicModule {
    return {
      ...AuthModule.with(
        {
          provide: TokenVerifier,
          inject: options.inject ?? [],
          useFactory: async (...args: unknown[]) => new TokenVerifier(await options.useFactory(...args)),
        },
        options,
      ),
      imports: options.imports ?? [],
    };
  }

  /** HS256 with a shared secret (kept for existing callers; same as `forRoot({ secret })`). */
  static forSecret(secret: string): DynamicModule {
    return AuthModule.forRoot({ secret });
  }

  private static with(verifier: Provider, guard: ApiGuardOptions): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        verifier,
        { provide: API_AUTH_PREFIXES, useValue: guard.prefixes ?? ['/api'] },
        { provide: APP_GUARD, useClass: ApiAuthGuard },
      ],
      exports: [TokenVerifier],
    };
  }
}
