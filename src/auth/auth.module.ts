import { type DynamicModule, type FactoryProvider, Module, type ModuleMetadata, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiAuthGuard } from './api-auth.guard.js';
import type { TokenVerifierOptions } from './token-options.js';
import { TokenVerifier } from './token-verifier.js';

export interface AuthModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Providers handed to `useFactory`, e.g. `[ConfigService]`. */
  inject?: FactoryProvider['inject'];
  useFactory: (...args: any[]) => TokenVerifierOptions | Promise<TokenVerifierOptions>;
}

/**
 * JWT mode: guards REST writes (`POST /api/...`) and provides the TokenVerifier, which the
 * WebSocket adapter's `authorize` hook uses too (`upgradeAuthorizer(app.get(TokenVerifier))`),
 * so both share one key cache.
 */
@Module({})
export class AuthModule {
  static forRoot(options: TokenVerifierOptions): DynamicModule {
    return AuthModule.with({ provide: TokenVerifier, useValue: new TokenVerifier(options) });
  }

  static forRootAsync(options: AuthModuleAsyncOptions): DynamicModule {
    return {
      ...AuthModule.with({
        provide: TokenVerifier,
        inject: options.inject ?? [],
        useFactory: async (...args: unknown[]) => new TokenVerifier(await options.useFactory(...args)),
      }),
      imports: options.imports ?? [],
    };
  }

  /** HS256 with a shared secret (kept for existing callers; same as `forRoot({ secret })`). */
  static forSecret(secret: string): DynamicModule {
    return AuthModule.forRoot({ secret });
  }

  private static with(verifier: Provider): DynamicModule {
    return {
      module: AuthModule,
      providers: [verifier, { provide: APP_GUARD, useClass: ApiAuthGuard }],
      exports: [TokenVerifier],
    };
  }
}
