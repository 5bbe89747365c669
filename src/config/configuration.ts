import { registerAs } from '@nestjs/config';
import { loadEnvironment, parseOriginList } from './environment.js';

export interface ServerConfig {
  port: number;
  host: string;
  logFormat: 'text' | 'json';
}

export interface WebSocketConfig {
  maxPayload: number;
  permessageDeflate: boolean;
  heartbeatMs: number;
  maxConnections: number;
  handshakeTimeoutMs: number;
  maxHeaderBytes: number;
  allowedOrigins: string[];
  sendBufferLimit: number;
  echoEnabled: boolean;
}

export interface ChatConfig {
  historySize: number;
  bus: 'memory' | 'redis';
  redisUrl: string;
  jwtSecret: string;
}

export const serverConfig = registerAs('server', (): ServerConfig => {
  const env = loadEnvironment();
  return { port: env.PORT, host: env.HOST, logFormat: env.LOG_FORMAT };
});

export const websocketConfig = registerAs('websocket', (): WebSocketConfig => {
  const env = loadEnvironment();
  return {
    maxPayload: env.WS_MAX_PAYLOAD,
    permessageDeflate: env.WS_PERMESSAGE_DEFLATE,
    heartbeatMs: env.WS_HEARTBEAT_MS,
    maxConnections: env.WS_MAX_CONNECTIONS,
    handshakeTimeoutMs: env.WS_HANDSHAKE_TIMEOUT_MS,
    maxHeaderBytes: env.WS_MAX_HEADER_BYTES,
    allowedOrigins: parseOriginList(env.WS_ALLOWED_ORIGINS),
    sendBufferLimit: env.WS_SEND_BUFFER_LIMIT,
    echoEnabled: env.ECHO_ENABLED,
  };
});

export const chatConfig = registerAs('chat', (): ChatConfig => {
  const env = loadEnvironment();
  return {
    historySize: env.CHAT_HISTORY_SIZE,
    bus: env.BUS,
    redisUrl: env.REDIS_URL,
    jwtSecret: env.AUTH_JWT_SECRET ?? '',
  };
});
