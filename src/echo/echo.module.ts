import { type DynamicModule, Module } from '@nestjs/common';
import { gatewaysAt } from '../mount/mounted-classes.js';
import { parsePathList, type PathList } from '../mount/mount-paths.js';
import { EchoGateway } from './echo.gateway.js';

export interface EchoModuleOptions {
  /** The echo's WebSocket path(s). Default `/echo`. */
  paths?: PathList;
}

/** The module `forRoot` defines: Nest would add EchoModule's own `/echo` to a dynamic EchoModule. */
@Module({})
class EchoOnPathsModule {}

/** Serves `/echo`; AppModule imports it when ECHO_ENABLED is true. */
@Module({ providers: [EchoGateway] })
export class EchoModule {
  /** The echo on the given paths instead (ECHO_PATHS). */
  static forRoot({ paths = '/echo' }: EchoModuleOptions = {}): DynamicModule {
    return {
      module: EchoOnPathsModule,
      providers: gatewaysAt(EchoGateway, parsePathList(paths, 'EchoModule option paths')),
    };
  }
}
