/**
 * Close codes a peer may put on the wire (RFC 6455 section 7.4). 1004 is reserved, 1005, 1006
 * and 1015 are reserved for reporting locally and MUST NOT be sent; 1012-1014 are registered
 * with IANA after the RFC; 3000-3999 belong to libraries and frameworks, 4000-4999 to
 * applications. Everything else below 5000 is unassigned, and nothing above 4999 is valid.
 */
export function isValidCloseCode(code) {
    if (code >= 1000 && code <= 1014) {
        return code !== 1004 && code !== 1005 && code !== 1006;
    }
    return code >= 3000 && code <= 4999;
}
//# sourceMappingURL=close-codes.js.map