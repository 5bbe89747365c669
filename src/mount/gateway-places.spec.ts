import { sharedGatewayPlaces } from './gateway-places.js';

class JsonChatGateway {}
class EchoGateway {}
class OwnPortGateway {}

describe('sharedGatewayPlaces', () => {
  it('names the two gateways on one path of one port', () => {
    const places = [
      { gateway: JsonChatGateway, port: 0, path: '/live' },
      { gateway: EchoGateway, port: 0, path: '/echo' },
      { gateway: EchoGateway, port: 0, path: '/live' },
    ];
    expect(sharedGatewayPlaces(places)).toEqual([
      'WebSocket path "/live" is served by both JsonChatGateway and EchoGateway',
    ]);
  });

  it("names the port when it is not the application's", () => {
    const places = [
      { gateway: OwnPortGateway, port: 9000, path: '/' },
      { gateway: EchoGateway, port: 9000, path: '/' },
    ];
    expect(sharedGatewayPlaces(places)).toEqual([
      'WebSocket path "/" on port 9000 is served by both OwnPortGateway and EchoGateway',
    ]);
  });

  it('lets one path be served on two ports', () => {
    const places = [
      { gateway: JsonChatGateway, port: 0, path: '/chat' },
      { gateway: OwnPortGateway, port: 9000, path: '/chat' },
    ];
    expect(sharedGatewayPlaces(places)).toEqual([]);
  });
});
