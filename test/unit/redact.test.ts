import { describe, expect, it } from 'vitest';
import { MIN_SECRET_LENGTH, redact, registerSecret, registerUrlSecrets } from '../../packages/astro-loader-confluence/src/redact.ts';
import { resolveOptions } from '../../packages/astro-loader-confluence/src/config/options.ts';

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

describe('secrets in URLs', () => {
  it('registers the password of a URL, verbatim, decoded and with its user, and removes the userinfo of any URL', () => {
    registerUrlSecrets('https://proxy-user:p%40ss-w0rd-9f2e@proxy.example:8080/');
    expect(redact('echoed p@ss-w0rd-9f2e and p%40ss-w0rd-9f2e and proxy-user:p%40ss-w0rd-9f2e')).toBe('echoed [REDACTED] and [REDACTED] and [REDACTED]');
    expect(redact('POST https://proxy-user:p%40ss-w0rd-9f2e@proxy.example:8080/bulkExport')).toBe('POST https://[REDACTED]@proxy.example:8080/bulkExport');
    // Unregistered, and a password too short to register: the URL still loses its userinfo.
    expect(redact('GET http://me:pw@10.0.0.1/x and git+ssh://git@host/repo')).toBe('GET http://[REDACTED]@10.0.0.1/x and git+ssh://[REDACTED]@host/repo');
  });

  it('reads a site without a scheme, and ignores what is no URL', () => {
    registerUrlSecrets('site-user:site-secret-77a1@acme.atlassian.net');
    expect(redact('token site-secret-77a1')).toBe('token [REDACTED]');
    registerUrlSecrets('not a url @ all');
    registerUrlSecrets(undefined);
    expect(redact('not a url @ all')).toBe('not a url @ all');
  });

  it('leaves the user name alone (not a secret) and e-mail addresses intact', () => {
    registerUrlSecrets('https://confluence-bot:bot-secret-31c9@proxy.example/');
    expect(redact('confluence-bot wrote to mailto:someone@example.com')).toBe('confluence-bot wrote to mailto:someone@example.com');
  });

  it('registers the userinfo of every configured URL and proxy variable when options are resolved', () => {
    const previous = process.env.HTTPS_PROXY;
    process.env.HTTPS_PROXY = 'http://px:proxy-secret-4b8d@127.0.0.1:3128';
    try {
      resolveOptions({
        spaceKey: 'DOCS',
        exportUrl: 'https://e:export-secret-1a2b@example.com/x',
        apiUrl: 'https://a:api-secret-3c4d@example.com/y',
        authUrl: 'https://o:auth-secret-5e6f@example.com/z',
        site: 's:site-secret-7a8b@acme.atlassian.net',
      });
    } finally {
      if (previous === undefined) delete process.env.HTTPS_PROXY;
      else process.env.HTTPS_PROXY = previous;
    }
    for (const secret of ['proxy-secret-4b8d', 'export-secret-1a2b', 'api-secret-3c4d', 'auth-secret-5e6f', 'site-secret-7a8b']) {
      expect(redact(`said ${secret}`), secret).toBe('said [REDACTED]');
    }
  });
});
