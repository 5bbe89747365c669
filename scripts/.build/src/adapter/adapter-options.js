export const defaultMessageParser = (data) => JSON.parse(typeof data === 'string' ? data : data.toString());
/**
 * The server options a gateway may override in its decorator. Written as a
 * Record so the compiler flags an option added to WebSocketServerOptions but
 * not here.
 */
const OVERRIDABLE = {
    maxPayload: true,
    allowedOrigins: true,
    maxConnections: true,
    closeTimeoutMs: true,
    sendBufferLimit: true,
    heartbeatMs: true,
    perMessageDeflate: true,
    handleProtocols: true,
    authorize: true,
};
const OVERRIDABLE_KEYS = Object.keys(OVERRIDABLE);
/**
 * What platform-ws does without `handleProtocols`: `ws` selects the first
 * protocol the client offered. Selecting none instead would make a `ws`
 * client that offers protocols fail the connection.
 */
export const selectFirstProtocol = (offered) => offered[0] ?? false;
/**
 * The adapter options with a gateway's overrides on top. Other gateway
 * options (`path`, options meant for other adapters) are ignored.
 */
export function serverOptionsFor(adapterOptions, gatewayOptions) {
    const merged = { handleProtocols: selectFirstProtocol, ...adapterOptions };
    for (const key of OVERRIDABLE_KEYS) {
        if (gatewayOptions[key] !== undefined)
            merged[key] = gatewayOptions[key];
    }
    return merged;
}
//# sourceMappingURL=adapter-options.js.map