import { describe, expect, it } from 'vitest';
import { confluencePageUrl, decodeTinyLink, encodeTinyLink, parseConfluenceUrl } from '../../../packages/astro-loader-confluence/src/rewrite/confluence-urls.ts';

const opts = { siteHosts: ['acme.atlassian.net'], cloudId: 'a1b2c3' };
const parse = (url: string) => parseConfluenceUrl(url, opts);

describe('parseConfluenceUrl', () => {
  it.each([
    ['https://acme.atlassian.net/wiki/spaces/DOC/pages/123/Some+Title', { kind: 'page', pageId: '123', spaceKey: 'DOC' }],
    ['https://ACME.atlassian.net/spaces/DOC/pages/123', { kind: 'page', pageId: '123', spaceKey: 'DOC' }],
    ['/wiki/spaces/DOC/pages/123?focusedCommentId=9#Intro-Text', { kind: 'page', pageId: '123', spaceKey: 'DOC', anchor: 'Intro-Text' }],
    ['/spaces/~5b1234abcd/pages/77', { kind: 'page', pageId: '77', spaceKey: '~5b1234abcd' }],
    ['/wiki/spaces/~712020%3Aabc/pages/77', { kind: 'page', pageId: '77', spaceKey: '~712020:abc' }],
    ['/wiki/spaces/123ABC/pages/edit-v2/88', { kind: 'page', pageId: '88', spaceKey: '123ABC' }],
    ['/wiki/pages/viewpage.action?pageId=42', { kind: 'page', pageId: '42' }],
    ['/PAGES/ViewPage.Action?PAGEID=42#X', { kind: 'page', pageId: '42', anchor: 'X' }],
    ['/pages/viewpage.action?spaceKey=DOC&title=A+B', { kind: 'page-title', spaceKey: 'DOC', title: 'A B' }],
    ['/wiki/display/DOC/Title+With+Plus%3F', { kind: 'page-title', spaceKey: 'DOC', title: 'Title With Plus?' }],
    ['/display/DOC/C%2B%2B+Guide', { kind: 'page-title', spaceKey: 'DOC', title: 'C++ Guide' }],
    ['/display/DOC/2024/01/15/Blog+Title', { kind: 'blog', spaceKey: 'DOC', title: 'Blog Title' }],
    ['/wiki/spaces/DOC/blog/2024/01/15/9001/Team+Post', { kind: 'blog', spaceKey: 'DOC', pageId: '9001' }],
    ['/wiki/spaces/DOC/blog/9001', { kind: 'blog', spaceKey: 'DOC', pageId: '9001' }],
    ['https://acme.atlassian.net/wiki/x/CYAI', { kind: 'page', pageId: '557065' }],
    ['https://api.atlassian.com/ex/confluence/a1b2c3/wiki/spaces/DOC/pages/5', { kind: 'page', pageId: '5', spaceKey: 'DOC' }],
    ['/wiki/download/attachments/300/My%20File.pdf?version=2&api=v2', { kind: 'attachment', pageId: '300', fileName: 'My File.pdf' }],
    ['https://acme.atlassian.net/download/thumbnails/300/a.png', { kind: 'attachment', pageId: '300', fileName: 'a.png' }],
  ])('%s', (url, expected) => expect(parse(url)).toEqual(expected));

  it.each([
    'https://example.com/wiki/spaces/DOC/pages/1',
    'https://api.atlassian.com/ex/confluence/other-cloud/wiki/spaces/DOC/pages/1',
    '//evil.example/wiki/spaces/DOC/pages/1',
    '/wiki/spaces/DOC/overview',
    '/wiki/spaces/DOC/pages/not-a-number',
    '/display/DOC',
    'attachments/x.png',
    '#Heading',
    'mailto:a@b.c',
  ])('ignores %s', (url) => expect(parse(url)).toBeUndefined());

  it('accepts any gateway cloud id when none is configured', () => {
    expect(parseConfluenceUrl('https://api.atlassian.com/ex/confluence/zzz/wiki/pages/viewpage.action?pageId=3', { siteHosts: [] })).toEqual({ kind: 'page', pageId: '3' });
  });
});

describe('tiny links', () => {
  it('decodes the documented example', () => expect(decodeTinyLink('CYAI')).toBe('557065'));
  it.each(['4986372097', '557065', '1', '4294967295', '4294967296', '98304000001', '9007199254740993', '18446744073709551615'])('round-trips %s', (id) => {
    expect(decodeTinyLink(encodeTinyLink(id))).toBe(id);
  });
  it('encodes 4986372097 as an 8-byte little-endian id', () => expect(encodeTinyLink(4986372097n)).toBe('AQA2KQE'));
  it('uses - and _ for / and +', () => {
    const code = encodeTinyLink(0xfbffbfn);
    expect(code).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(code).toMatch(/[-_]/);
    expect(decodeTinyLink(code)).toBe(String(0xfbffbf));
  });
  it.each(['', 'AAAA', 'has space', 'TOOLONGCODE12'])('rejects %j', (code) => expect(decodeTinyLink(code)).toBeUndefined());
});

describe('confluencePageUrl', () => {
  const options = { siteHosts: ['acme.atlassian.net'], cloudId: 'c1' };
  it('keeps an absolute site URL as written', () => {
    const url = 'https://acme.atlassian.net/wiki/spaces/DOC/pages/666/Secret?focusedCommentId=1#Top';
    expect(confluencePageUrl(url, options)).toBe(url);
  });
  it('puts host-relative paths on the site under /wiki, keeping a blog date, a tiny code and the query', () => {
    expect(confluencePageUrl('/display/DOC/2020/01/01/Old+News', options)).toBe('https://acme.atlassian.net/wiki/display/DOC/2020/01/01/Old+News');
    expect(confluencePageUrl('/wiki/x/AQA2KQE', options)).toBe('https://acme.atlassian.net/wiki/x/AQA2KQE');
    expect(confluencePageUrl('/wiki/pages/viewpage.action?pageId=666', options)).toBe('https://acme.atlassian.net/wiki/pages/viewpage.action?pageId=666');
  });
  it('turns a gateway link into a site link', () => {
    expect(confluencePageUrl('https://api.atlassian.com/ex/confluence/c1/wiki/spaces/DOC/pages/666#A', options)).toBe('https://acme.atlassian.net/wiki/spaces/DOC/pages/666#A');
  });
  it('is undefined for other sites and without a site host', () => {
    expect(confluencePageUrl('https://example.com/wiki/spaces/DOC/pages/1', options)).toBeUndefined();
    expect(confluencePageUrl('/wiki/spaces/DOC/pages/1', { siteHosts: [] })).toBeUndefined();
  });
});
