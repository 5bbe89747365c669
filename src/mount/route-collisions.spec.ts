import { RequestMethod, type Type } from '@nestjs/common';
import type { DeclaredRoute } from './declared-routes.js';
import { routeCollisions } from './route-collisions.js';

class HostController {}
class PageController {}
class RoomsController {}
const ours = new Set<Type>([PageController, RoomsController]);

function route(controller: Type, method: RequestMethod, path: string, name: string): DeclaredRoute {
  return { controller, method, path, handler: `${controller.name}.${name}` };
}

const page = route(PageController, RequestMethod.GET, '/', 'page');
const rooms = route(RoomsController, RequestMethod.GET, '/api/rooms/:room/messages', 'messages');

describe('routeCollisions', () => {
  it('reports a host route registered first on the same path as one of ours', () => {
    const home = route(HostController, RequestMethod.GET, '/', 'home');
    expect(routeCollisions([home, page, rooms], ours)).toEqual([{ winner: home, hidden: page, hostWins: true }]);
  });

  it('reports a host pattern registered first that takes requests for one of ours', () => {
    const anyMessages = route(HostController, RequestMethod.ALL, '/api/rooms/:id/messages', 'proxy');
    expect(routeCollisions([anyMessages, page, rooms], ours)).toEqual([
      { winner: anyMessages, hidden: rooms, hostWins: true },
    ]);
  });

  it('reports a host route ours hide entirely', () => {
    const home = route(HostController, RequestMethod.GET, '/', 'home');
    expect(routeCollisions([page, home], ours)).toEqual([{ winner: page, hidden: home, hostWins: false }]);
  });

  it('leaves a host catch-all after our routes, other methods and other paths alone', () => {
    const host = [
      route(HostController, RequestMethod.GET, '/*path', 'fallback'),
      route(HostController, RequestMethod.POST, '/', 'submit'),
      route(HostController, RequestMethod.GET, '/orders', 'orders'),
    ];
    expect(routeCollisions([page, rooms, ...host], ours)).toEqual([]);
  });

  it('does not compare our routes with each other', () => {
    const assets = route(PageController, RequestMethod.GET, '/*path', 'asset');
    expect(routeCollisions([assets, rooms], ours)).toEqual([]);
  });
});
