/**
 * The registry key for a gateway `path` option, normalised the way Nest's
 * platform-ws does it: leading slash, no trailing or repeated slashes, and no
 * path meaning `/`. Written as a character loop: it runs on user input.
 */
export function normalizeGatewayPath(path) {
    if (!path)
        return '/';
    let normalized = '';
    let previousWasSlash = false;
    for (let index = 0; index < path.length; index++) {
        const isSlash = path.charCodeAt(index) === 0x2f;
        if (isSlash && previousWasSlash)
            continue;
        if (index === 0 && !isSlash)
            normalized += '/';
        normalized += path[index];
        previousWasSlash = isSlash;
    }
    if (normalized.length > 1 && previousWasSlash)
        normalized = normalized.slice(0, -1);
    return normalized;
}
//# sourceMappingURL=gateway-path.js.map