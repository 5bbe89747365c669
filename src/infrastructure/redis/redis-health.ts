import type { DependencyCheck } from '../../health/dependency-check.js';
import type { RedisConnections } from './redis-connections.js';

/**
 * Redis as a dependency of /health: down while either connection is not ready or the bus is
 * not subscribed, and while a PING gets no answer (a half-open TCP connection still looks
 * ready to the client).
 */
export class RedisHealthCheck implements DependencyCheck {
  readonly name = 'redis';

  constructor(private readonly connections: RedisConnections) {}

  async check(): Promise<string | undefined> {
    const problem = this.connections.problem();
    if (problem !== undefined) return problem;
    try {
      await this.connections.commands.ping();
      return undefined;
    } catch (error) {
      return `Redis does not answer PING: ${(error as Error).message}`;
    }
  }
}
