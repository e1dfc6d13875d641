/**
 * Recognises the many URL forms in which Confluence writes a link to a page, a blog post or an
 * attachment. The Markdown Exporter does not document which forms it emits (contract.md §4), so
 * every form Confluence Cloud has used is accepted, absolute or host-relative, with or without
 * `/wiki`, and through the `api.atlassian.com/ex/confluence/{cloudId}` gateway.
 */

/** What a Confluence URL points at. `anchor` is the fragment as written, without `#`, undecoded. */
export type ConfluenceTarget =
  | { kind: 'page'; pageId: string; spaceKey?: string; anchor?: string }
  | { kind: 'page-title'; spaceKey: string; title: string; anchor?: string }
  | { kind: 'blog'; spaceKey: string; pageId?: string; title?: string; anchor?: string }
  | { kind: 'attachment'; pageId: string; fileName: string };

/** Which hosts count as "this Confluence site". */
export interface ConfluenceUrlOptions {
  /** Site host names, e.g. `['acme.atlassian.net']`; compared case-insensitively. */
  siteHosts: readonly string[];
  /** When set, gateway links must carry this cloud id; when unset, any gateway cloud id is accepted. */
  cloudId?: string;
}

const GATEWAY_HOST = 'api.atlassian.com';
const GATEWAY_PATH = /^\/ex\/confluence\/([^/]+)(\/.*)?$/i;

/**
 * Parses `url` as a link into this Confluence site; undefined when it points anywhere else
 * (another site, a same-page anchor, a relative file path) or at something that is not a page,
 * blog post or attachment (a space overview, a search).
 */
export function parseConfluenceUrl(url: string, options: ConfluenceUrlOptions): ConfluenceTarget | undefined {
  const path = sitePath(url, options);
  if (path === undefined) return undefined;
  const hashAt = path.indexOf('#');
  const anchor = hashAt >= 0 ? path.slice(hashAt + 1) : undefined;
  const beforeHash = hashAt >= 0 ? path.slice(0, hashAt) : path;
  const queryAt = beforeHash.indexOf('?');
  const query = queryAt >= 0 ? beforeHash.slice(queryAt + 1) : '';
  // `//wiki//spaces/…` reaches the same page as `/wiki/spaces/…`.
  const pathname = (queryAt >= 0 ? beforeHash.slice(0, queryAt) : beforeHash).replace(/\/{2,}/g, '/').replace(/^\/wiki(?=\/|$)/i, '');
  const target = parsePath(pathname, query);
  if (target && anchor && target.kind !== 'attachment') target.anchor = anchor;
  return target;
}

/**
 * Where a reader finds a link's target in Confluence itself (the 'confluence' policy for pages
 * that are not published): the URL as written when it already names the site, otherwise the same
 * path on the site's first host under `/wiki`. Keeping the path keeps what a rebuilt URL would
 * lose (a blog post's date, a tiny link code, the query). Undefined without a site host.
 */
export function confluencePageUrl(url: string, options: ConfluenceUrlOptions): string | undefined {
  const host = options.siteHosts[0]?.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  const path = sitePath(url, options);
  if (!host || path === undefined) return undefined;
  const authority = /^(?:https?:)?\/\/([^/?#]+)/i.exec(url)?.[1]?.toLowerCase().replace(/:\d+$/, '');
  if (authority && authority !== GATEWAY_HOST && /^https?:/i.test(url)) return url;
  return `https://${host}/wiki${path.replace(/^\/wiki(?=\/|$)/i, '')}`;
}

/** Stands for "no host": host-relative URLs are parsed against it. */
const NO_HOST = 'relative.invalid';

/**
 * The path (with query and fragment) of a URL on this site, or undefined for any other URL. The
 * URL is read as a browser reads it (WHATWG `URL`): tabs and newlines dropped, `\` as `/`,
 * userinfo and default ports ignored, the host lowercased and without a trailing dot. A pattern
 * over the text missed `https://user@site/…` and `https:\\site\…`, which a browser follows.
 */
function sitePath(url: string, options: ConfluenceUrlOptions): string | undefined {
  const value = url.replace(/[\t\n\r]/g, '').trim();
  // Only URLs with a host, or host-relative ones: a relative path (`attachments/x.png`) is no page link.
  if (!/^(?:https?:)?[/\\]/i.test(value)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value, `https://${NO_HOST}/`);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  const rest = `${parsed.pathname}${parsed.search}${parsed.hash}`;
  const host = parsed.hostname.replace(/\.$/, '');
  if (host === NO_HOST && !/^(?:https?:)?[/\\]{2}/i.test(value)) return rest;
  if (options.siteHosts.some((h) => h.toLowerCase().replace(/^https?:\/\//, '').replace(/:\d+$/, '').replace(/\.$/, '') === host)) return rest;
  if (host !== GATEWAY_HOST) return undefined;
  const gateway = GATEWAY_PATH.exec(parsed.pathname);
  if (!gateway) return undefined;
  if (options.cloudId && gateway[1]!.toLowerCase() !== options.cloudId.toLowerCase()) return undefined;
  return rest.slice(`/ex/confluence/${gateway[1]}`.length) || '/';
}

/** `query` is the raw query string: only `viewpage.action` reads it, so it is parsed there alone. */
function parsePath(pathname: string, query: string): ConfluenceTarget | undefined {
  // An id may be percent-encoded (`%36%36%36` is 666): a segment that decodes to digits is read decoded.
  const segments = pathname.split('/').filter((s) => s !== '').map((s) => (s.includes('%') && /^\d+$/.test(decodeSegment(s)) ? decodeSegment(s) : s));
  const [first, second, third, ...rest] = segments;
  const lower = first?.toLowerCase();
  if (lower === 'spaces' && second && third) {
    const spaceKey = decodeSegment(second);
    const kind = third.toLowerCase();
    if (kind === 'pages') {
      const id = rest[0]?.toLowerCase() === 'edit-v2' || rest[0]?.toLowerCase() === 'edit' ? rest[1] : rest[0];
      return id && /^\d+$/.test(id) ? { kind: 'page', pageId: id, spaceKey } : undefined;
    }
    if (kind === 'blog') {
      // /spaces/KEY/blog/YYYY/MM/DD/ID/Title or /spaces/KEY/blog/ID/Title
      const dated = rest.length >= 4 && /^\d{4}$/.test(rest[0]!) && /^\d{2}$/.test(rest[1]!) && /^\d{2}$/.test(rest[2]!);
      const id = dated ? rest[3] : rest[0];
      return id && /^\d+$/.test(id) ? { kind: 'blog', spaceKey, pageId: id } : undefined;
    }
    return undefined;
  }
  if (lower === 'display' && second) {
    const spaceKey = decodeSegment(second);
    const parts = [third, ...rest].filter((s): s is string => s !== undefined);
    if (parts.length === 0) return undefined;
    if (parts.length >= 4 && /^\d{4}$/.test(parts[0]!) && /^\d{2}$/.test(parts[1]!) && /^\d{2}$/.test(parts[2]!)) {
      return { kind: 'blog', spaceKey, title: decodeTitle(parts.slice(3).join('/')) };
    }
    return { kind: 'page-title', spaceKey, title: decodeTitle(parts.join('/')) };
  }
  if (lower === 'pages' && second?.toLowerCase() === 'viewpage.action') {
    const params = new URLSearchParams(query);
    const pageId = queryParam(params, 'pageid');
    if (pageId && /^\d+$/.test(pageId)) return { kind: 'page', pageId };
    const spaceKey = queryParam(params, 'spacekey');
    const title = queryParam(params, 'title');
    return spaceKey && title ? { kind: 'page-title', spaceKey, title } : undefined;
  }
  if (lower === 'x' && second && segments.length === 2) {
    const pageId = decodeTinyLink(second);
    return pageId ? { kind: 'page', pageId } : undefined;
  }
  if (lower === 'download' && (second?.toLowerCase() === 'attachments' || second?.toLowerCase() === 'thumbnails')) {
    const [pageId, ...file] = [third, ...rest];
    if (!pageId || !/^\d+$/.test(pageId) || file.length === 0) return undefined;
    return { kind: 'attachment', pageId, fileName: decodeSegment(file.join('/')) };
  }
  return undefined;
}

/** Query parameter lookup ignoring the parameter name's case (`pageId`, `pageid`, `PAGEID`). */
function queryParam(query: URLSearchParams, lowerName: string): string | undefined {
  for (const [name, value] of query) if (name.toLowerCase() === lowerName) return value;
  return undefined;
}

/** Decodes a `/display/` title: `+` is a space there, and `%xx` escapes may be present too. */
function decodeTitle(segment: string): string {
  return decodeSegment(segment.replace(/\+/g, ' '));
}

/** `decodeURIComponent` that keeps malformed escapes as written instead of throwing. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Decodes a tiny link code (`/x/CODE`) to a page id. The code is the page id as 8 little-endian
 * bytes in base64 with `-` for `/` and `_` for `+`, trailing `A`s (zero bits) and padding dropped.
 * Cloud page ids exceed 2^32, hence BigInt. Undefined when `code` is not a valid tiny link code.
 */
export function decodeTinyLink(code: string): string | undefined {
  const base64 = code.replace(/=+$/, '').replace(/-/g, '/').replace(/_/g, '+');
  if (base64.length === 0 || base64.length > 11 || !/^[A-Za-z0-9+/]+$/.test(base64)) return undefined;
  const bytes = Buffer.from(base64.padEnd(11, 'A') + '=', 'base64');
  const id = bytes.readBigUInt64LE(0);
  return id === 0n ? undefined : id.toString();
}

/** Encodes a page id as Confluence's tiny link code, the inverse of {@link decodeTinyLink}. */
export function encodeTinyLink(pageId: string | number | bigint): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt(pageId));
  return bytes.toString('base64').replace(/=+$/, '').replace(/A+$/, '').replace(/\//g, '-').replace(/\+/g, '_');
}
