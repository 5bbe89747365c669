var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
/**
 * Echo through Nest's message pipeline: the adapter parses the `{event, data}` envelope,
 * dispatches to the handler and serialises its WsResponse, as in any Nest gateway.
 */
let NestEchoGateway = class NestEchoGateway {
    echo(data) {
        return { event: 'echo', data };
    }
};
__decorate([
    SubscribeMessage('echo'),
    __param(0, MessageBody()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object]),
    __metadata("design:returntype", Object)
], NestEchoGateway.prototype, "echo", null);
NestEchoGateway = __decorate([
    WebSocketGateway({ path: '/nest-echo' })
], NestEchoGateway);
export { NestEchoGateway };
//# sourceMappingURL=nest-echo.gateway.js.map