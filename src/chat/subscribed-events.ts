import { MetadataScanner } from '@nestjs/core';
import { MESSAGE_MAPPING_METADATA, MESSAGE_METADATA } from '@nestjs/websockets/constants.js';

const scanner = new MetadataScanner();

/**
 * The events `gateway`'s `@SubscribeMessage` handlers take, found the way Nest finds them:
 * every method up the prototype chain (the subclass a module mounts at another path, a
 * subclass that adds handlers), the most derived definition of each name.
 */
export function subscribedEvents(gateway: object): string[] {
  const prototype = Object.getPrototypeOf(gateway) as Record<string, unknown>;
  const events: string[] = [];
  for (const name of scanner.getAllMethodNames(prototype)) {
    const method = prototype[name] as object;
    if (Reflect.getMetadata(MESSAGE_MAPPING_METADATA, method) === undefined) continue;
    const event: unknown = Reflect.getMetadata(MESSAGE_METADATA, method);
    if (typeof event === 'string' && !events.includes(event)) events.push(event);
  }
  return events;
}
