import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ChatError } from './chat-error.js';
import type { ChatSocket } from './chat-socket.js';
import { ChatService } from './chat.service.js';
import { ConnectionRegistry } from './connection-registry.js';

/** Every request a client sends takes a token from its bucket; none left -> `rate_limited`. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly chat: ChatService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const connection = this.registry.find(context.switchToWs().getClient<ChatSocket>());
    if (connection !== undefined && !this.chat.admit(connection)) {
      throw new ChatError('rate_limited', 'too many requests; slow down');
    }
    return true;
  }
}
