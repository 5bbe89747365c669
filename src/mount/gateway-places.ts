import type { Type } from '@nestjs/common';
import type { ModulesContainer } from '@nestjs/core';
import { GATEWAY_METADATA, GATEWAY_OPTIONS, PORT_METADATA } from '@nestjs/websockets/constants.js';
import { normalizeGatewayPath } from '../adapter/index.js';

/** Where one gateway class of the application is served. */
export interface GatewayPlace {
  readonly gateway: Type;
  readonly port: number;
  /** Normalised, as the adapter routes it. */
  readonly path: string;
}

/** Every gateway class registered in the application's modules, once each. */
export function gatewayPlaces(modules: ModulesContainer): GatewayPlace[] {
  const seen = new Set<Type>();
  const places: GatewayPlace[] = [];
  for (const module of modules.values()) {
    for (const wrapper of module.providers.values()) {
      const gateway = wrapper.metatype as Type | null;
      if (!gateway || wrapper.isNotMetatype || seen.has(gateway) || !Reflect.getMetadata(GATEWAY_METADATA, gateway)) {
        continue;
      }
      seen.add(gateway);
      const options = (Reflect.getMetadata(GATEWAY_OPTIONS, gateway) ?? {}) as { path?: string };
      const port = (Reflect.getMetadata(PORT_METADATA, gateway) ?? 0) as number;
      places.push({ gateway, port, path: normalizeGatewayPath(options.path) });
    }
  }
  return places;
}

/**
 * Messages for every place two gateway classes share. Nest hands two gateways with the same
 * path string one server, and each would take the other's connections: a chat client would be
 * echoed to, an echo client greeted as a chat member.
 */
export function sharedGatewayPlaces(places: readonly GatewayPlace[]): string[] {
  const owners = new Map<string, GatewayPlace>();
  const problems: string[] = [];
  for (const place of places) {
    const key = `${place.port} ${place.path}`;
    const owner = owners.get(key);
    if (owner === undefined) owners.set(key, place);
    else {
      const where = place.port === 0 ? `"${place.path}"` : `"${place.path}" on port ${place.port}`;
      problems.push(`WebSocket path ${where} is served by both ${owner.gateway.name} and ${place.gateway.name}`);
    }
  }
  return problems;
}

/** Throws naming both gateways when two share a path (checked when the module is created). */
export function assertGatewaysApart(modules: ModulesContainer): void {
  const problems = sharedGatewayPlaces(gatewayPlaces(modules));
  if (problems.length > 0) throw new Error(`${problems.join('; ')}: give each its own path`);
}
