import type { CompressionPool } from './compression-pool.js';
import { deflaterKey } from './compression-pool.js';
import type { DeflateParams } from './deflate-negotiation.js';
import type { DeflateSettings } from './deflate-options.js';
import { Deflater, Inflater, type CodecCallback, type DeflaterSettings } from './zlib-codec.js';

/**
 * permessage-deflate for one connection, with the parameters negotiated for it. Without
 * context takeover on a side, that side's work runs on the server's pooled contexts and this
 * object holds no zlib memory; with it, the connection's own context is created on first use
 * and freed when the connection closes.
 */
export class PerMessageDeflate {
  readonly params: DeflateParams;
  /** Outgoing messages shorter than this go out uncompressed. */
  readonly threshold: number;
  /** Our compressed output depends only on the message: broadcasts may share it. */
  readonly sharesFrames: boolean;
  /** Compressors with this key produce identical output (see deflaterKey). */
  readonly sharedKey: number;
  readonly deflaterSettings: DeflaterSettings;
  readonly pool: CompressionPool;
  private inflater: Inflater | undefined = undefined;
  private deflater: Deflater | undefined = undefined;
  private released = false;

  constructor(pool: CompressionPool, params: DeflateParams, settings: DeflateSettings) {
    this.pool = pool;
    this.params = params;
    this.sharesFrames = params.serverNoContextTakeover;
    this.threshold = params.serverNoContextTakeover ? settings.threshold : 0;
    this.deflaterSettings = {
      windowBits: params.serverMaxWindowBits,
      level: settings.level,
      memLevel: settings.memLevel,
    };
    this.sharedKey = deflaterKey(this.deflaterSettings);
  }

  /** Decompresses one whole message; fails with 1009 past `maxPayload`, 1007 on bad data. */
  decompress(payload: Buffer, maxPayload: number, callback: CodecCallback): void {
    const windowBits = this.params.clientMaxWindowBits;
    if (this.params.clientNoContextTakeover) {
      this.pool.inflate(windowBits, payload, maxPayload, callback);
      return;
    }
    const inflater = (this.inflater ??= new Inflater(windowBits));
    this.pool.inflateOn(inflater, payload, maxPayload, (error, result) => {
      if (this.released && !this.pool.busy(inflater)) inflater.close();
      callback(error, result);
    });
  }

  /** Compresses one whole message (without the trailing 00 00 ff ff). */
  compress(payload: Buffer, callback: CodecCallback): void {
    if (this.params.serverNoContextTakeover) {
      this.pool.deflate(this.deflaterSettings, payload, callback);
      return;
    }
    const deflater = (this.deflater ??= new Deflater(this.deflaterSettings));
    this.pool.deflateOn(deflater, payload, (error, result) => {
      if (this.released && !this.pool.busy(deflater)) deflater.close();
      callback(error, result);
    });
  }

  /** Frees this connection's contexts; one still working is freed when its job ends. */
  release(): void {
    this.released = true;
    if (this.inflater !== undefined && !this.pool.busy(this.inflater)) this.inflater.close();
    if (this.deflater !== undefined && !this.pool.busy(this.deflater)) this.deflater.close();
  }
}
