import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The HTTP security headers of the chat page, set with helmet. The page loads only its own
 * files (no inline script or style attribute, the favicon is a data: URL), talks to its own
 * origin (`fetch('/api/rooms')` and the WebSocket on `/chat`: CSP Level 3 lets `'self'` match
 * ws:/wss: of the page's host and port), and is never framed (clickjacking).
 *
 * HSTS is left out on purpose: it belongs to whatever terminates TLS, and from an embedded
 * module it would bind the host app's whole domain to HTTPS.
 */
export const SECURITY_HEADERS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'none'"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'"],
    },
  },
  xFrameOptions: { action: 'deny' },
  strictTransportSecurity: false,
};

const applyHeaders = helmet(SECURITY_HEADERS);

/**
 * Sets the headers on one response. The page controller calls it itself, so an app that
 * embeds ChatModule (and has no app-wide helmet) still serves the page with them.
 */
export function setSecurityHeaders(request: IncomingMessage, response: ServerResponse): void {
  // helmet's middleware is synchronous; `next` only reports an invalid configuration.
  applyHeaders(request, response, (error?: unknown) => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what helmet reports
    if (error !== undefined) throw error;
  });
}
