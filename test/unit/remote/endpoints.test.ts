import { describe, expect, it } from 'vitest';
import {
  APP_ID,
  ENV_IDS,
  envId,
  exportBaseUrl,
  resolveCloudId,
  restBaseUrl,
  siteOrigin,
} from '../../../packages/astro-loader-confluence/src/remote/endpoints.ts';
import { ConfigError, ServerError } from '../../../packages/astro-loader-confluence/src/errors.ts';
import { useLoopback } from '../../helpers/loopback.ts';

const { serve, httpClient } = useLoopback();

describe('app ids', () => {
  it('match the app documentation', () => {
    expect(APP_ID).toBe('0def1d4f-1593-4dd0-99a3-a098b3959067');
    expect(ENV_IDS).toEqual({
      production: '796457c9-9c03-4382-b44f-d19571068ece',
      staging: '73c9d7be-47c5-479a-b08d-14fb79453df8',
      development: '08a10a13-932b-47bb-b760-0cc1e93d4a50',
    });
  });

  it('envId defaults to production and rejects unknown environments', () => {
    expect(envId(undefined)).toBe(ENV_IDS.production);
    expect(envId('')).toBe(ENV_IDS.production);
    expect(envId('Staging')).toBe(ENV_IDS.staging);
    expect(() => envId('prod')).toThrow(ConfigError);
    expect(() => envId('toString')).toThrow(ConfigError);
  });
});

describe('exportBaseUrl', () => {
  it('builds the api.atlassian.com form by default', () => {
    expect(exportBaseUrl({ cloudId: 'cloud-1' })).toBe(
      'https://api.atlassian.com/svc/confluence/cloud-1/apps/0def1d4f-1593-4dd0-99a3-a098b3959067_796457c9-9c03-4382-b44f-d19571068ece',
    );
    expect(exportBaseUrl({ cloudId: 'cloud-1', env: 'development' })).toMatch(/_08a10a13-932b-47bb-b760-0cc1e93d4a50$/);
  });

  it('builds the gateway form from the site', () => {
    expect(exportBaseUrl({ site: 'acme.atlassian.net', env: 'staging', form: 'gateway' })).toBe(
      'https://acme.atlassian.net/gateway/api/svc/confluence/apps/0def1d4f-1593-4dd0-99a3-a098b3959067_73c9d7be-47c5-479a-b08d-14fb79453df8',
    );
    expect(() => exportBaseUrl({ form: 'gateway' })).toThrow(/CONFLUENCE_SITE/);
  });

  it('lets CONFLUENCE_EXPORT_URL win, without a trailing slash', () => {
    expect(exportBaseUrl({ cloudId: 'x', exportUrl: 'http://127.0.0.1:9999/app/' })).toBe('http://127.0.0.1:9999/app');
    expect(() => exportBaseUrl({ exportUrl: 'not a url' })).toThrow(/CONFLUENCE_EXPORT_URL/);
  });

  it('needs a cloud id for the default form', () => {
    expect(() => exportBaseUrl({})).toThrow(ConfigError);
    expect(() => restBaseUrl({})).toThrow(/cloud id is unknown/);
    try {
      exportBaseUrl({});
    } catch (error) {
      expect((error as ConfigError).hint).toMatch(/CONFLUENCE_SITE.*CONFLUENCE_CLOUD_ID/);
    }
  });
});

describe('restBaseUrl', () => {
  it('defaults to api.atlassian.com/ex/confluence and accepts an override', () => {
    expect(restBaseUrl({ cloudId: 'cloud-1' })).toBe('https://api.atlassian.com/ex/confluence/cloud-1');
    expect(restBaseUrl({ cloudId: 'cloud-1', apiUrl: 'http://127.0.0.1:1/api/' })).toBe('http://127.0.0.1:1/api');
  });
});

describe('siteOrigin', () => {
  it('adds https to a bare host and keeps an explicit scheme', () => {
    expect(siteOrigin('acme.atlassian.net')).toBe('https://acme.atlassian.net');
    expect(siteOrigin('http://127.0.0.1:4321')).toBe('http://127.0.0.1:4321');
    expect(siteOrigin('https://acme.atlassian.net/wiki/spaces/DOCS')).toBe('https://acme.atlassian.net');
  });

  it('rejects what is not a host', () => {
    expect(() => siteOrigin('')).toThrow(ConfigError);
    expect(() => siteOrigin('ftp://acme')).toThrow(ConfigError);
    expect(() => siteOrigin('acme atlassian')).toThrow(ConfigError);
  });
});

describe('resolveCloudId', () => {
  it('reads the cloud id from /_edge/tenant_info', async () => {
    const paths: string[] = [];
    const site = await serve((req, res) => {
      paths.push(req.url!);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"cloudId":"abc-123"}');
    });
    expect(await resolveCloudId(httpClient(), site)).toBe('abc-123');
    expect(paths).toEqual(['/_edge/tenant_info']);
  });

  it('says the site is wrong when it does not answer like an Atlassian site', async () => {
    const answers: Array<[number, string]> = [[404, 'Not Found'], [200, '<html>login</html>'], [200, '{}']];
    const site = await serve((_req, res) => {
      const [status, body] = answers.shift()!;
      res.writeHead(status);
      res.end(body);
    });
    for (const why of [/answered 404/, /not JSON/, /no cloudId/]) {
      const error = await resolveCloudId(httpClient(), site).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(why);
      expect((error as Error).message).toContain(`GET ${site}/_edge/tenant_info`);
      expect((error as ConfigError).hint).toMatch(/CONFLUENCE_SITE.*CONFLUENCE_CLOUD_ID/s);
    }
  });

  it('leaves a server failure as a ServerError, not a configuration problem', async () => {
    const site = await serve((_req, res) => {
      res.writeHead(502);
      res.end();
    });
    await expect(resolveCloudId(httpClient(), site)).rejects.toBeInstanceOf(ServerError);
  });
});
