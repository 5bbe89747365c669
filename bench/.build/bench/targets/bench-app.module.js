var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
import { Module } from '@nestjs/common';
import { EchoModule } from '../../src/echo/echo.module.js';
import { BroadcastGateway } from './broadcast.gateway.js';
import { NestEchoGateway } from './nest-echo.gateway.js';
/**
 * The one Nest application every Nest target runs, whatever the adapter: the product's raw
 * `/echo` gateway, an `@SubscribeMessage` echo on `/nest-echo` and a fan-out on `/broadcast`.
 */
let BenchAppModule = class BenchAppModule {
};
BenchAppModule = __decorate([
    Module({ imports: [EchoModule], providers: [NestEchoGateway, BroadcastGateway] })
], BenchAppModule);
export { BenchAppModule };
//# sourceMappingURL=bench-app.module.js.map