import type { DependencyCheck } from '../../health/dependency-check.js';
import type { RedisConnections } from './redis-connections.js';

/**
 * Redis as a dependency of /health: down while a connection is not ready or the bus is not
 * subscribed, and while a PING gets no answer (a half-open TCP connection still looks ready to
 * the client). On a Redis Cluster every primary is asked: one that is down is reported (its
 * slots cannot be written) until its replica has taken over.
 */
export class RedisHealthCheck implements DependencyCheck {
  readonly name = 'redis';

  constructor(private readonly connections: RedisConnections) {}

  async check(): Promise<string | undefined> {
    const problem = this.connections.problem();
    if (problem !== undefined) return problem;
    try {
      const clusterProblem = await this.connections.clusterProblem();
      if (clusterProblem !== undefined) return clusterProblem;
      await this.connections.commands.ping();
      return undefined;
    } catch (error) {
      return `Redis does not answer PING: ${(error as Error).message}`;
    }
  }
}
