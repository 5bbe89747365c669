export const DEFAULT_DEFLATE_SETTINGS = {
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 15,
    threshold: 1024,
    level: -1,
    memLevel: 8,
    concurrencyLimit: 8,
};
function integerIn(name, value, min, max, fallback) {
    if (value === undefined)
        return fallback;
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new RangeError(`perMessageDeflate.${name} must be an integer from ${min} to ${max}, got ${value}`);
    }
    return value;
}
function flag(name, value, fallback) {
    if (value === undefined)
        return fallback;
    if (typeof value !== 'boolean')
        throw new TypeError(`perMessageDeflate.${name} must be a boolean, got ${String(value)}`);
    return value;
}
/**
 * `false`/`undefined` disable the extension, `true` enables it with the defaults, an object
 * overrides some of them. Out-of-range values throw, naming the option.
 */
export function resolveDeflateOptions(value) {
    if (value === undefined || value === false)
        return undefined;
    if (value === true)
        return DEFAULT_DEFLATE_SETTINGS;
    const d = DEFAULT_DEFLATE_SETTINGS;
    return {
        serverNoContextTakeover: flag('serverNoContextTakeover', value.serverNoContextTakeover, d.serverNoContextTakeover),
        clientNoContextTakeover: flag('clientNoContextTakeover', value.clientNoContextTakeover, d.clientNoContextTakeover),
        serverMaxWindowBits: integerIn('serverMaxWindowBits', value.serverMaxWindowBits, 8, 15, d.serverMaxWindowBits),
        clientMaxWindowBits: integerIn('clientMaxWindowBits', value.clientMaxWindowBits, 8, 15, d.clientMaxWindowBits),
        threshold: integerIn('threshold', value.threshold, 0, Number.MAX_SAFE_INTEGER, d.threshold),
        level: integerIn('level', value.level, -1, 9, d.level),
        memLevel: integerIn('memLevel', value.memLevel, 1, 9, d.memLevel),
        concurrencyLimit: integerIn('concurrencyLimit', value.concurrencyLimit, 1, 1024, d.concurrencyLimit),
    };
}
//# sourceMappingURL=deflate-options.js.map