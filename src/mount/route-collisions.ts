import { Logger, RequestMethod, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import type { ApplicationConfig, ModulesContainer } from '@nestjs/core';
import { RouteConflictDetector } from '@nestjs/core/router/route-conflict-detector.js';
import { declaredRoutes, describeRoute, type DeclaredRoute } from './declared-routes.js';

/** A route of ours and a route of the host that can answer the same request. */
export interface RouteCollision {
  /** Registered first: it answers. */
  readonly winner: DeclaredRoute;
  readonly hidden: DeclaredRoute;
  readonly hostWins: boolean;
}

function methodsOverlap(left: RequestMethod, right: RequestMethod): boolean {
  return left === right || left === RequestMethod.ALL || right === RequestMethod.ALL;
}

/**
 * The collisions between `ours` and the host's routes, in registration order: every host route
 * registered before one of ours that can take its requests (the host's `GET /` and our page),
 * and every host route ours hides entirely (same path). A host catch-all registered after our
 * routes is how a host falls back to its own pages: not a collision.
 */
export function routeCollisions(routes: readonly DeclaredRoute[], ours: ReadonlySet<Type>): RouteCollision[] {
  const collisions: RouteCollision[] = [];
  routes.forEach((first, index) => {
    const firstIsOurs = ours.has(first.controller);
    for (const second of routes.slice(index + 1)) {
      if (ours.has(second.controller) === firstIsOurs || !methodsOverlap(first.method, second.method)) continue;
      if (firstIsOurs ? first.path !== second.path : !RouteConflictDetector.pathsCanOverlap(first.path, second.path)) {
        continue;
      }
      collisions.push({ winner: first, hidden: second, hostWins: !firstIsOurs });
    }
  });
  return collisions;
}

/**
 * Logs, once the routes are registered, every collision between the host's HTTP routes and the
 * module's (`owner`'s) own, naming both, instead of letting whichever came first win silently.
 */
export class RouteCollisionReport implements OnApplicationBootstrap {
  private readonly logger: Logger;

  constructor(
    private readonly modules: ModulesContainer,
    private readonly config: ApplicationConfig,
    private readonly owner: string,
    private readonly ours: ReadonlySet<Type>,
    private readonly advice: string,
  ) {
    this.logger = new Logger(owner);
  }

  onApplicationBootstrap(): void {
    for (const { winner, hidden, hostWins } of routeCollisions(declaredRoutes(this.modules, this.config), this.ours)) {
      const [whose, whom] = hostWins ? ['the host', `${this.owner}'s`] : [`${this.owner}`, "the host's"];
      this.logger.error(
        `Route collision: ${describeRoute(winner)} of ${whose} is registered first and takes requests meant for ` +
          `${whom} ${describeRoute(hidden)}; ${this.advice}`,
      );
    }
  }
}
