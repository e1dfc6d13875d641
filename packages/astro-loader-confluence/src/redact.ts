/**
 * The secret registry. Tokens and client secrets are registered the moment the loader learns them
 * (from options, environment variables or a token response); every error message, log line and
 * snapshot the package writes goes through `redact` first, so a secret cannot leak through a URL,
 * a response body echoed into an error, or a stack trace.
 */

const REDACTED = '[REDACTED]';

/**
 * Values shorter than this are not treated as secrets: replacing every `abc` in a message would
 * mangle it while protecting nothing (real tokens and secrets are far longer).
 */
export const MIN_SECRET_LENGTH = 8;

const secrets = new Set<string>();
/** Longest first, so that a secret containing another one is replaced whole. */
let ordered: string[] = [];

/** Remembers a secret so that `redact` removes it from any text from now on. */
export function registerSecret(value: string | null | undefined): void {
  if (typeof value !== 'string') return;
  const trimmed = value.trim();
  if (trimmed.length < MIN_SECRET_LENGTH) return;
  const before = secrets.size;
  // A secret can appear URL-encoded (in a query string) as well as verbatim.
  for (const form of [value, trimmed, encodeURIComponent(trimmed)]) secrets.add(form);
  if (secrets.size !== before) ordered = [...secrets].sort((a, b) => b.length - a.length);
}

/**
 * Registers the password in a URL's userinfo (`https://user:password@proxy.example`), alone and
 * as the `user:password` pair, like a token. `url` may lack its scheme (a `CONFLUENCE_SITE` such as
 * `user:pw@acme.atlassian.net`); anything that is no URL is ignored. The user name alone is not a
 * secret (and registering a common one would blank it out of every message); URLs lose their whole
 * userinfo through the pattern below anyway.
 */
export function registerUrlSecrets(url: string | null | undefined): void {
  if (typeof url !== 'string' || !url.includes('@')) return;
  let parsed: URL;
  try {
    parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url.trim()) ? url.trim() : `https://${url.trim()}`);
  } catch {
    return;
  }
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  if (!parsed.password) return;
  registerSecret(parsed.password);
  registerSecret(decode(parsed.password));
  registerSecret(`${parsed.username}:${parsed.password}`);
  registerSecret(`${decode(parsed.username)}:${decode(parsed.password)}`);
}

/**
 * Secret-looking fields caught even when their value was never registered: a token from a
 * response the loader has not parsed yet, or one a proxy echoed back, and the userinfo of any URL
 * (a password too short to register safely is still caught there).
 */
const FIELD_NAMES = 'access_token|refresh_token|client_secret|id_token';
const PATTERNS: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [new RegExp(`("(?:${FIELD_NAMES})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'), `$1"${REDACTED}"`],
  [new RegExp(`([?&](?:${FIELD_NAMES})=)[^&#\\s"']+`, 'gi'), `$1${REDACTED}`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi, `$1${REDACTED}@`],
];

/** Returns `text` with every registered secret and every secret-looking field replaced. */
export function redact(text: string): string {
  let out = String(text);
  for (const secret of ordered) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
