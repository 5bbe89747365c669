var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
import { Module } from '@nestjs/common';
import { EchoGateway } from './echo.gateway.js';
/** Serves `/echo`; AppModule imports it when ECHO_ENABLED is true. */
let EchoModule = class EchoModule {
};
EchoModule = __decorate([
    Module({ providers: [EchoGateway] })
], EchoModule);
export { EchoModule };
//# sourceMappingURL=echo.module.js.map