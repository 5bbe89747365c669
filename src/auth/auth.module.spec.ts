import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SignJWT } from 'jose';
import { AuthModule } from './auth.module.js';
import { TokenVerifier } from './token-verifier.js';

const SECRET = 'module-secret';
const token = () =>
  new SignJWT({ sub: 'mod', exp: Math.floor(Date.now() / 1000) + 60 })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(SECRET));

const CONFIG = Symbol('CONFIG');
@Module({ providers: [{ provide: CONFIG, useValue: { secret: SECRET } }], exports: [CONFIG] })
class ConfigLikeModule {}

describe('AuthModule', () => {
  it('forRoot provides a TokenVerifier built from the options', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AuthModule.forRoot({ secret: SECRET })] }).compile();
    await expect(moduleRef.get(TokenVerifier).verify(await token())).resolves.toMatchObject({ name: 'mod' });
  });

  it('forRootAsync builds it from injected configuration', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthModule.forRootAsync({
          imports: [ConfigLikeModule],
          inject: [CONFIG],
          useFactory: async (config: { secret: string }) => ({ secret: config.secret }),
        }),
      ],
    }).compile();
    await expect(moduleRef.get(TokenVerifier).verify(await token())).resolves.toMatchObject({ name: 'mod' });
  });

  it('stops the start on options that cannot verify anything', () => {
    expect(() => AuthModule.forRoot({})).toThrow(/one of secret, jwksUrl or publicKey/);
  });
});
