import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';

/**
 * What the page at / may load: its own scripts, style sheet and API, and the digits the API
 * answers as data: URLs. No inline script anywhere (Vite builds the page into external module
 * files), and no other site may show the page in a frame.
 */
export const PAGE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/**
 * Swagger UI at /docs loads only its own files too, but sets inline styles from its scripts
 * and shows a validator badge from validator.swagger.io; everything else is as for the page.
 */
export const DOCS_CSP =
  "default-src 'self'; script-src 'self'; script-src-attr 'none'; " +
  "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; " +
  "frame-ancestors 'none'";

/** Routes probes and scrapers call: never rate-limited, or a busy client would fail them. */
const UNLIMITED_PATHS = new Set(['/health', '/ready', '/metrics']);

/**
 * Security headers on every answer (helmet), and, when `perMinute` is set, at most that many
 * requests per minute from one client address; over that, a 429 in the usual JSON error form.
 */
export async function addSecurity(app: FastifyInstance, perMinute: number | null): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: PAGE_CSP,
    },
    // The README shows an <img> on another site loading /generate: that needs the image to be
    // readable cross-origin. The JSON routes are still guarded by CORS.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    // The server speaks plain HTTP; HTTPS, and so HSTS, belong to the proxy in front of it.
    strictTransportSecurity: false,
  });
  if (perMinute === null) return;

  await app.register(rateLimit, {
    max: perMinute,
    timeWindow: 60_000,
    allowList: (request) => UNLIMITED_PATHS.has(request.url.split('?')[0]),
    // Thrown, so the app's error handler answers it like every other 4xx.
    errorResponseBuilder: (_request, context) => {
      const message = `more than ${context.max} requests a minute from this address`;
      return { statusCode: 429, message: `${message}; retry in ${context.after}` };
    },
  });
}
