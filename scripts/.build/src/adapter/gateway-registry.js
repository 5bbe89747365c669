/** The WebSocket servers the adapter created, keyed by port, then path. */
export class GatewayRegistry {
    constructor() {
        this.ports = new Map();
        this.places = new Map();
    }
    /** Throws when the place is taken: a second gateway there would never see a connection. */
    assertFree(port, path) {
        if (this.ports.get(port)?.has(path)) {
            throw new Error(`Two WebSocket gateways use port ${port} and path "${path}"`);
        }
    }
    add(port, path, server) {
        this.assertFree(port, path);
        let paths = this.ports.get(port);
        if (paths === undefined)
            this.ports.set(port, (paths = new Map()));
        paths.set(path, server);
        this.places.set(server, { port, path });
    }
    get(port, path) {
        return this.ports.get(port)?.get(path);
    }
    /** Forgets `server`; returns where it was, or undefined if it was not registered. */
    remove(server) {
        const place = this.places.get(server);
        if (place === undefined)
            return undefined;
        this.places.delete(server);
        const paths = this.ports.get(place.port);
        paths.delete(place.path);
        if (paths.size === 0)
            this.ports.delete(place.port);
        return place;
    }
    servers() {
        return [...this.places.keys()];
    }
    /** Every server with its place, in registration order. */
    entries() {
        return [...this.places].map(([server, place]) => ({ ...place, server }));
    }
    clear() {
        this.ports.clear();
        this.places.clear();
    }
}
//# sourceMappingURL=gateway-registry.js.map