import { Module } from '@nestjs/common';
import { EchoModule } from '../../src/echo/echo.module.js';
import { BroadcastGateway } from './broadcast.gateway.js';
import { NestEchoGateway } from './nest-echo.gateway.js';

/**
 * The one Nest application every Nest target runs, whatever the adapter: the product's raw
 * `/echo` gateway, an `@SubscribeMessage` echo on `/nest-echo` and a fan-out on `/broadcast`.
 */
@Module({ imports: [EchoModule], providers: [NestEchoGateway, BroadcastGateway] })
export class BenchAppModule {}
