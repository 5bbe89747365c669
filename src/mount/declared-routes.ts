import { RequestMethod, type Type } from '@nestjs/common';
import { MODULE_PATH, PATH_METADATA, VERSION_METADATA } from '@nestjs/common/constants.js';
import { type ApplicationConfig, MetadataScanner, type ModulesContainer } from '@nestjs/core';
import type { RoutePathMetadata } from '@nestjs/core/router/interfaces/route-path-metadata.interface.js';
import { PathsExplorer } from '@nestjs/core/router/paths-explorer.js';
import { RoutePathFactory } from '@nestjs/core/router/route-path-factory.js';

/** One HTTP route as Nest registers it on the server. */
export interface DeclaredRoute {
  readonly method: RequestMethod;
  /** The full path: global prefix, module path (RouterModule), version, controller, method. */
  readonly path: string;
  readonly controller: Type;
  /** `Controller.method`, for messages. */
  readonly handler: string;
}

function withLeadingSlash(path: string): string {
  return path === '' || path.startsWith('/') ? path : `/${path}`;
}

function asList(paths: string | string[]): string[] {
  return (Array.isArray(paths) ? paths : [paths]).map(withLeadingSlash);
}

/**
 * Every controller route of the application in the order Nest's router registers them (module
 * by module, controller by controller), computed with Nest's own path factory so that the global
 * prefix, RouterModule paths and URI versions come out as Nest serves them.
 */
export function declaredRoutes(modules: ModulesContainer, config: ApplicationConfig): DeclaredRoute[] {
  const pathFactory = new RoutePathFactory(config);
  const explorer = new PathsExplorer(new MetadataScanner());
  const globalPrefix = withLeadingSlash(config.getGlobalPrefix());
  const versioningOptions = config.getVersioning();
  const routes: DeclaredRoute[] = [];
  for (const module of modules.values()) {
    const modulePath = (Reflect.getMetadata(MODULE_PATH + modules.applicationId, module.metatype) ??
      Reflect.getMetadata(MODULE_PATH, module.metatype)) as string | undefined;
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller || !wrapper.instance) continue;
      const declared = Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined;
      if (declared === undefined) continue;
      const controllerVersion = versioningOptions
        ? ((Reflect.getMetadata(VERSION_METADATA, controller) as RoutePathMetadata['controllerVersion']) ??
          versioningOptions.defaultVersion)
        : undefined;
      for (const ctrlPath of asList(declared)) {
        for (const definition of explorer.scanForPaths(wrapper.instance)) {
          for (const methodPath of definition.path) {
            const metadata: RoutePathMetadata = {
              ctrlPath,
              modulePath,
              globalPrefix,
              controllerVersion,
              versioningOptions,
              methodVersion: definition.version,
              methodPath,
            };
            for (const path of pathFactory.create(metadata, definition.requestMethod)) {
              routes.push({
                method: definition.requestMethod,
                path,
                controller,
                handler: `${controller.name}.${definition.methodName}`,
              });
            }
          }
        }
      }
    }
  }
  return routes;
}

export function describeRoute(route: DeclaredRoute): string {
  return `${RequestMethod[route.method]} ${route.path} (${route.handler})`;
}
