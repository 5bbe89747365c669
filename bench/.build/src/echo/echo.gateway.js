var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
import { WebSocketGateway } from '@nestjs/websockets';
const AS_TEXT = { binary: false };
const AS_BINARY = { binary: true };
/** Shared by every connection (the emitter is `this`): no closure per client. */
function echo(data, isBinary) {
    this.send(data, isBinary ? AS_BINARY : AS_TEXT);
}
/**
 * `/echo` sends every message back verbatim, text as text and binary as
 * binary, for conformance suites and benchmarks. It has no
 * `@SubscribeMessage` handlers, so the adapter does no JSON dispatch here.
 */
let EchoGateway = class EchoGateway {
    handleConnection(client) {
        client.on('message', echo);
    }
};
EchoGateway = __decorate([
    WebSocketGateway({ path: '/echo' })
], EchoGateway);
export { EchoGateway };
//# sourceMappingURL=echo.gateway.js.map