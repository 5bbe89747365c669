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
import { MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { prepareFrame } from '../../src/websocket/index.js';
const OPEN = 1;
/**
 * Fans every `broadcast` message out to every connected client as
 * `{event: 'broadcast', data}`. The JSON is built once; on our adapter it is also framed once
 * (prepareFrame + sendFrame, as the chat fan-out does), on platform-ws each client's send()
 * frames it, as a platform-ws user would write it.
 */
let BroadcastGateway = class BroadcastGateway {
    broadcast(data) {
        const text = JSON.stringify({ event: 'broadcast', data });
        let frame;
        for (const client of this.server.clients) {
            if (client.readyState !== OPEN)
                continue;
            if (client.sendFrame !== undefined)
                client.sendFrame((frame ??= prepareFrame(text)));
            else
                client.send(text);
        }
    }
};
__decorate([
    WebSocketServer(),
    __metadata("design:type", Object)
], BroadcastGateway.prototype, "server", void 0);
__decorate([
    SubscribeMessage('broadcast'),
    __param(0, MessageBody()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object]),
    __metadata("design:returntype", void 0)
], BroadcastGateway.prototype, "broadcast", null);
BroadcastGateway = __decorate([
    WebSocketGateway({ path: '/broadcast' })
], BroadcastGateway);
export { BroadcastGateway };
//# sourceMappingURL=broadcast.gateway.js.map