import { describe, expect, it } from 'vitest';
import { resolveOptions, type ConfluenceLoaderOptions } from '../../../packages/astro-loader-confluence/src/config/options.ts';
import { sourceKey } from '../../../packages/astro-loader-confluence/src/sources/sources.ts';

const base: ConfluenceLoaderOptions = {
  spaceKey: 'DOCS',
  site: '127.0.0.1:4010',
  cloudId: 'a1b2c3d4-0000-4000-8000-5743616e6431',
  exportUrl: 'http://127.0.0.1:4010/svc/confluence/x/apps/y',
  apiUrl: 'http://127.0.0.1:4010/ex/confluence/x',
  accessToken: 't',
};
const key = (change: Partial<ConfluenceLoaderOptions>) => sourceKey(resolveOptions({ ...base, ...change }));

describe('sourceKey: the sync state follows the content, not the address it is fetched from', () => {
  it('stays the same when only the endpoints move (a stand-in on another port, a proxy)', () => {
    expect(key({ site: '127.0.0.1:5020', exportUrl: 'http://127.0.0.1:5020/svc/a', apiUrl: 'http://127.0.0.1:5020/ex/b', accessToken: 'other' })).toBe(key({}));
  });

  it('changes with the cloud, the space or root page, the app environment and what an export holds', () => {
    const keys = [
      key({}),
      key({ cloudId: 'another-cloud' }),
      key({ spaceKey: 'OTHER' }),
      key({ spaceKey: undefined, rootPageId: '123' }),
      key({ environment: 'staging' }),
      key({ includeAttachments: false }),
      key({ snapshot: 'snapshots/v1' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('without a cloud id, is keyed on the site the cloud id is looked up from', () => {
    expect(key({ cloudId: undefined })).not.toBe(key({ cloudId: undefined, site: 'other.atlassian.net' }));
  });
});
