import { normalizeGatewayPath } from '../adapter/index.js';

/** One path, or several (aliases) served alike. */
export type PathList = string | readonly string[];

/**
 * Characters a mount path may hold: unreserved URL characters and `/`. Anything else would be
 * read as a route pattern by Express (`:id`, `*`, `{...}`) or never match a request.
 */
const PATH_CHARACTERS = /^[A-Za-z0-9\-._~/]*$/;

/** `path` with a leading slash, no repeated or trailing slash (the adapter's own registry key). */
export function normalizeMountPath(path: string, name: string): string {
  const trimmed = path.trim();
  if (!PATH_CHARACTERS.test(trimmed)) {
    throw new RangeError(`${name}: "${path}" is not a path (letters, digits, "-._~" and "/" only)`);
  }
  return normalizeGatewayPath(trimmed);
}

/**
 * A list of paths (an array, or a comma list as environment variables hold them), normalised,
 * without repeats. At least one path: a part that should not be served is switched off instead.
 */
export function parsePathList(given: PathList, name: string): string[] {
  const items = typeof given === 'string' ? given.split(',') : [...given];
  const paths = new Set<string>();
  for (const item of items) {
    if (typeof given === 'string' && item.trim() === '') continue;
    paths.add(normalizeMountPath(item, name));
  }
  if (paths.size === 0) throw new RangeError(`${name}: give at least one path`);
  return [...paths];
}

/** The paths of one protocol, and the name the user gave them by (an option or a variable). */
export interface NamedPaths {
  readonly name: string;
  readonly paths: readonly string[];
}

/** Every path served by two protocols, as messages naming both (normalised paths expected). */
export function pathConflicts(groups: readonly NamedPaths[]): string[] {
  const owners = new Map<string, string>();
  const problems: string[] = [];
  for (const { name, paths } of groups) {
    for (const path of paths) {
      const owner = owners.get(path);
      if (owner === undefined) owners.set(path, name);
      else problems.push(`path "${path}" is given to both ${owner} and ${name}`);
    }
  }
  return problems;
}

/** Throws when two protocols share a path; the message names both. */
export function assertDistinctPaths(groups: readonly NamedPaths[]): void {
  const problems = pathConflicts(groups);
  if (problems.length > 0) throw new RangeError(`WebSocket paths in conflict: ${problems.join('; ')}`);
}
