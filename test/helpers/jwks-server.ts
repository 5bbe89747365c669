import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A signing key made in the test, published in the key set under `kid`. */
export interface TestKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** The public key as PEM (SPKI). */
  publicPem: string;
}

export async function testKey(kid: string, alg = 'RS256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

/** A JWT signed with `key`: `exp` one hour ahead unless the claims say otherwise (`exp: undefined` drops it). */
export function signToken(key: TestKey, claims: JWTPayload, header: { kid?: string | null } = {}): Promise<string> {
  const payload: JWTPayload = { exp: Math.floor(Date.now() / 1000) + 3600, ...claims };
  if ('exp' in claims && claims.exp === undefined) delete payload.exp;
  const kid = header.kid === null ? undefined : (header.kid ?? key.kid);
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, ...(kid ? { kid } : {}) }).sign(key.privateKey);
}

export type JwksBehaviour = 'serve' | 'hang' | 'error' | 'garbage';

/**
 * A JWKS endpoint on 127.0.0.1 (port 0) publishing the public halves of `keys`; the keys and
 * the behaviour can change while it runs, and it counts the fetches.
 */
export class JwksServer {
  keys: TestKey[];
  behaviour: JwksBehaviour = 'serve';
  fetches = 0;
  private readonly server: http.Server;
  private readonly hanging = new Set<http.ServerResponse>();

  private constructor(keys: TestKey[]) {
    this.keys = keys;
    this.server = http.createServer((_request, response) => this.answer(response));
  }

  static async start(keys: TestKey[]): Promise<JwksServer> {
    const jwks = new JwksServer(keys);
    await new Promise<void>((resolve) => jwks.server.listen(0, '127.0.0.1', resolve));
    return jwks;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(response: http.ServerResponse): void {
    this.fetches++;
    if (this.behaviour === 'hang') {
      this.hanging.add(response);
      return;
    }
    if (this.behaviour === 'error') {
      response.writeHead(503).end('down');
      return;
    }
    const body =
      this.behaviour === 'garbage'
        ? '{"keys": "nope"'
        : JSON.stringify({ keys: this.keys.map((key) => key.publicJwk) });
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
  }
}
