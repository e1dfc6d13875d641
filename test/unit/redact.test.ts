import { describe, expect, it } from 'vitest';
import { MIN_SECRET_LENGTH, redact, registerSecret } from '../../packages/astro-loader-confluence/src/redact.ts';

describe('redact', () => {
  it('replaces every occurrence of a registered secret, verbatim and URL-encoded', () => {
    const secret = 'redact-test/secret+value=1';
    registerSecret(secret);
    const text = `a ${secret} b ${secret} c ${encodeURIComponent(secret)}`;
    expect(redact(text)).toBe('a [REDACTED] b [REDACTED] c [REDACTED]');
  });

  it('ignores empty and short values, which would mangle messages', () => {
    registerSecret('');
    registerSecret(undefined);
    registerSecret('abc');
    registerSecret('x'.repeat(MIN_SECRET_LENGTH - 1));
    expect(redact('abc xxxxxxx')).toBe('abc xxxxxxx');
  });

  it('replaces the longer of two overlapping secrets whole', () => {
    registerSecret('overlap-secret-1');
    registerSecret('overlap-secret-1-and-more');
    expect(redact('overlap-secret-1-and-more')).toBe('[REDACTED]');
  });

  it('catches unregistered bearer headers and token fields in JSON and query strings', () => {
    expect(redact('Authorization: Bearer eyJhbGciOi.abc-def_ghi')).toBe('Authorization: Bearer [REDACTED]');
    expect(redact('{"access_token": "unregistered-1", "token_type":"Bearer", "refresh_token":"r\\"2"}')).toBe(
      '{"access_token": "[REDACTED]", "token_type":"Bearer", "refresh_token":"[REDACTED]"}',
    );
    expect(redact('{"client_secret":"s3"}')).toBe('{"client_secret":"[REDACTED]"}');
    expect(redact('https://x.test/cb?refresh_token=abc123&x=1&client_secret=zz')).toBe(
      'https://x.test/cb?refresh_token=[REDACTED]&x=1&client_secret=[REDACTED]',
    );
  });

  it('leaves ordinary text alone', () => {
    expect(redact('No pages were found for space DOCS (POST https://api.atlassian.com/x → 404).')).toBe(
      'No pages were found for space DOCS (POST https://api.atlassian.com/x → 404).',
    );
  });
});
