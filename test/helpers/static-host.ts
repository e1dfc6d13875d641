/**
 * A tiny static host for a built `dist/`, on 127.0.0.1, sending the security headers that the
 * repository's netlify.toml sets (read from the file with a TOML parser, so what is tested is what
 * is deployed): the way a browser test sees the site as Netlify would serve it. With
 * `headers: false` it serves the files alone, as a host that ignores those configs would.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { parse } from 'smol-toml';
import { PROJECT_ROOT } from './site-build.ts';

export interface HeaderRule {
  /** The path pattern as written (`/*`, `/_attachments/*`). */
  for: string;
  values: Record<string, string>;
}

/** The `[[headers]]` rules of netlify.toml. */
export function netlifyHeaderRules(): HeaderRule[] {
  const config = parse(readFileSync(join(PROJECT_ROOT, 'netlify.toml'), 'utf8')) as { headers?: HeaderRule[] };
  return config.headers ?? [];
}

/** Netlify's path patterns: `*` matches anything, the rest literally. */
export function matchesNetlifyPattern(pattern: string, path: string): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`).test(path);
}

/** Every header for `path`, in rule order; a header set by several rules is sent once per rule (as Netlify merges them). */
export function headersFor(path: string, rules: readonly HeaderRule[]): [string, string][] {
  return rules.filter((rule) => matchesNetlifyPattern(rule.for, path)).flatMap((rule) => Object.entries(rule.values));
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.webp': 'image/webp', '.jpg': 'image/jpeg', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8', '.xml': 'application/xml',
  '.pdf': 'application/pdf', '.pf_meta': 'application/octet-stream', '.pf_index': 'application/octet-stream', '.pf_fragment': 'application/octet-stream',
  '.pagefind': 'application/octet-stream', '.wasm': 'application/wasm',
};

export interface StaticHost {
  origin: string;
  close(): Promise<void>;
}

export function serveDist(dist: string, options: { headers: boolean }): Promise<StaticHost> {
  const rules = options.headers ? netlifyHeaderRules() : [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    let file = normalize(join(dist, path));
    if (!file.startsWith(dist)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    const found = existsSync(file);
    if (!found) file = join(dist, '404.html');
    for (const [name, value] of headersFor(path, rules)) res.appendHeader(name, value);
    res.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.statusCode = found ? 200 : 404;
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ origin: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
