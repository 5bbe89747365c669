export interface GatewayPlace {
  readonly port: number;
  readonly path: string;
}

/** The WebSocket servers the adapter created, keyed by port, then path. */
export class GatewayRegistry<TServer> {
  private readonly ports = new Map<number, Map<string, TServer>>();
  private readonly places = new Map<TServer, GatewayPlace>();

  /** Throws when the place is taken: a second gateway there would never see a connection. */
  assertFree(port: number, path: string): void {
    if (this.ports.get(port)?.has(path)) {
      throw new Error(`Two WebSocket gateways use port ${port} and path "${path}"`);
    }
  }

  add(port: number, path: string, server: TServer): void {
    this.assertFree(port, path);
    let paths = this.ports.get(port);
    if (paths === undefined) this.ports.set(port, (paths = new Map<string, TServer>()));
    paths.set(path, server);
    this.places.set(server, { port, path });
  }

  get(port: number, path: string): TServer | undefined {
    return this.ports.get(port)?.get(path);
  }

  /** Forgets `server`; returns where it was, or undefined if it was not registered. */
  remove(server: TServer): GatewayPlace | undefined {
    const place = this.places.get(server);
    if (place === undefined) return undefined;
    this.places.delete(server);
    const paths = this.ports.get(place.port)!;
    paths.delete(place.path);
    if (paths.size === 0) this.ports.delete(place.port);
    return place;
  }

  servers(): TServer[] {
    return [...this.places.keys()];
  }

  /** Every server with its place, in registration order. */
  entries(): Array<GatewayPlace & { server: TServer }> {
    return [...this.places].map(([server, place]) => ({ ...place, server }));
  }

  clear(): void {
    this.ports.clear();
    this.places.clear();
  }
}
