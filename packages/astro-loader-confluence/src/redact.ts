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
 * Secret-looking fields caught even when their value was never registered: a token from a
 * response the loader has not parsed yet, or one a proxy echoed back.
 */
const FIELD_NAMES = 'access_token|refresh_token|client_secret|id_token';
const PATTERNS: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [new RegExp(`("(?:${FIELD_NAMES})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'), `$1"${REDACTED}"`],
  [new RegExp(`([?&](?:${FIELD_NAMES})=)[^&#\\s"']+`, 'gi'), `$1${REDACTED}`],
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
