import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

export interface BrowserAppsOptions {
  /** The dashboard's build (`dashboard/dist`): index.html, graphiql.html and hashed assets/. */
  dir: string;
  /** Whether browsers get GraphiQL at GET /graphql. */
  graphiql: boolean;
}

/** Answers a request if it is for a browser page or asset; returns whether it did. */
export type BrowserAppsHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Everything the pages load comes from this origin: scripts, styles (Monaco sets some inline),
 * fonts, workers, and the API over HTTP and WebSocket ('self' covers ws: to the same host).
 */
const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
/** Vite names every asset after its content's hash, so an asset never changes under its name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The browser side of the gateway, on plain node:http: the admin dashboard at /dashboard/ (a
 * single-page app: unknown paths get its index.html, missing assets a 404), GraphiQL at GET
 * /graphql for browsers, and an index page at /. Anything else is left to the caller.
 */
export function browserApps(options: BrowserAppsOptions): BrowserAppsHandler {
  const dir = resolve(options.dir);
  const built = () => existsSync(resolve(dir, 'index.html'));

  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    const path = url.pathname;

    if (path === '/') {
      sendHtml(req, res, 200, indexPage(built(), options.graphiql));
      return true;
    }
    if (path === '/graphql') {
      // API requests by GET carry `query` (or a persisted query's `extensions`); a browser opening
      // the URL asks for HTML and carries neither.
      if (!options.graphiql || !acceptsHtml(req) || url.searchParams.has('query') || url.searchParams.has('extensions')) return false;
      serveFile(req, res, resolve(dir, 'graphiql.html'), 'no-cache') || sendHtml(req, res, 503, notBuiltPage('GraphiQL'));
      return true;
    }
    if (path === '/dashboard') {
      res.writeHead(301, { ...COMMON_HEADERS, location: `/dashboard/${url.search}` }).end();
      return true;
    }
    if (!path.startsWith('/dashboard/')) return false;

    const segments = safeSegments(path.slice('/dashboard/'.length));
    if (!segments) {
      sendText(req, res, 400, 'Bad path.');
      return true;
    }
    if (!built()) {
      sendHtml(req, res, 503, notBuiltPage('The admin dashboard'));
      return true;
    }
    const relative = segments.join('/');
    // GraphiQL is served at /graphql only, so GRAPHIQL=off leaves no other way to it.
    if (relative === 'graphiql.html') {
      sendText(req, res, 404, 'Not found.');
      return true;
    }
    const file = resolve(dir, ...segments);
    if (relative !== '' && file.startsWith(dir + sep) && serveFile(req, res, file, segments[0] === 'assets' ? IMMUTABLE : 'no-cache')) return true;
    // A missing file (anything with an extension, or under assets/) is a 404; any other path is a
    // route of the app, answered with its index.html so deep links and reloads work.
    if (segments[0] === 'assets' || extname(segments.at(-1) ?? '') !== '') {
      sendText(req, res, 404, 'Not found.');
      return true;
    }
    serveFile(req, res, resolve(dir, 'index.html'), 'no-cache');
    return true;
  };
}

/** The path's segments, decoded, or null when one could climb out of the folder or is not a name. */
function safeSegments(path: string): string[] | null {
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === '..' || segment.includes('/') || segment.includes('\\') || segment.includes('\0')) return null;
    if (segment !== '' && segment !== '.') segments.push(segment);
  }
  return segments;
}

function acceptsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').toLowerCase().includes('text/html');
}

/** Streams a regular file; false when there is none at `file`. */
function serveFile(req: IncomingMessage, res: ServerResponse, file: string, cacheControl: string): boolean {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return false;
    size = stat.size;
  } catch {
    return false;
  }
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    ...COMMON_HEADERS,
    'content-type': type,
    'content-length': size,
    'cache-control': cacheControl,
    ...(type.startsWith('text/html') ? { 'content-security-policy': PAGE_CSP, 'x-frame-options': 'DENY' } : {}),
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
  return true;
}

function sendHtml(req: IncomingMessage, res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-cache',
    'content-security-policy': PAGE_CSP,
    'x-frame-options': 'DENY',
  });
  res.end(req.method === 'HEAD' ? undefined : html);
}

function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : text);
}

const PAGE_STYLE = 'body{font:15px/1.5 system-ui,sans-serif;max-width:640px;margin:48px auto;padding:0 20px;color:#1d2330}code{background:#f1f2f5;padding:1px 5px;border-radius:4px}li{margin:6px 0}';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>${PAGE_STYLE}</style></head><body>${body}</body></html>`;
}

function notBuiltPage(what: string): string {
  return page(
    'Not built',
    `<h1>${what} is not built</h1><p>The gateway serves it from <code>dashboard/dist</code>, which is missing. Build it with <code>npm run build:dashboard</code> (<code>npm install</code> does it too), then reload this page.</p>`,
  );
}

function indexPage(built: boolean, graphiql: boolean): string {
  return page(
    'Supergraph Commerce',
    `<h1>Supergraph Commerce</h1><ul>` +
      `<li>${built ? '<a href="/dashboard/">Admin dashboard</a>' : 'Admin dashboard: not built (<code>npm run build:dashboard</code>)'}: orders and stock, live</li>` +
      `<li>${graphiql ? '<a href="/graphql">GraphiQL</a>: explore and run operations' : 'GraphiQL is off here (<code>GRAPHIQL=on</code> turns it on)'}</li>` +
      `<li>GraphQL endpoint: <code>POST /graphql</code>; subscriptions over graphql-ws on the same path</li>` +
      `</ul>`,
  );
}
