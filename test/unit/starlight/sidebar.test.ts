import { describe, expect, it } from 'vitest';
import {
  confluenceSidebar,
  entryHref,
  flattenLinks,
  markCurrent,
  type SidebarGroupItem,
  type SidebarItem,
  type SidebarSourceEntry,
} from '../../../packages/astro-loader-confluence/src/starlight/sidebar.ts';

const entry = (id: string, title: string, confluenceId: string, parentId?: string, position = 0): SidebarSourceEntry => ({
  id,
  data: { title, confluence: { id: confluenceId, parentId, position } },
});

/** A readable outline: links as their label, groups as `label: [...]`. */
function outline(items: readonly SidebarItem[]): unknown[] {
  return items.map((item) => (item.type === 'link' ? item.label : { [item.label]: outline(item.entries) }));
}

const space = (): SidebarSourceEntry[] => [
  entry('guides/setup', 'Setup', '11', '10', 2),
  entry('index', 'Home', '1'),
  entry('api', 'API', '20', '1', 5),
  entry('guides', 'Guides', '10', '1', 1),
  entry('guides/intro', 'Intro', '12', '10', 1),
  entry('guides/setup/linux', 'Linux', '13', '11', 0),
];

describe('confluenceSidebar', () => {
  it('heads the sidebar with the home page, then its children as the top level', () => {
    expect(outline(confluenceSidebar(space(), '/')!)).toEqual([
      'Home',
      { Guides: ['Guides', 'Intro', { Setup: ['Setup', 'Linux'] }] },
      'API',
    ]);
  });

  it('opens each group with a link to its parent page', () => {
    const guides = confluenceSidebar(space(), '/')![1] as SidebarGroupItem;
    expect(guides.type).toBe('group');
    expect(guides.entries[0]).toMatchObject({ type: 'link', label: 'Guides', href: '/guides/' });
  });

  it('orders siblings by position, then title, whatever the entry order', () => {
    const entries = [
      entry('index', 'Home', '1'),
      entry('c', 'C', '4', '1', 3),
      entry('b2', 'Beta', '3', '1', 2),
      entry('a', 'A', '2', '1', 2),
      entry('z', 'Z', '5', '1', -1),
    ];
    expect(outline(confluenceSidebar(entries, '/')!)).toEqual(['Home', 'Z', 'A', 'Beta', 'C']);
    expect(outline(confluenceSidebar([...entries].reverse(), '/')!)).toEqual(['Home', 'Z', 'A', 'Beta', 'C']);
  });

  it('expands top-level groups and collapses deeper ones', () => {
    const items = confluenceSidebar(space(), '/')!;
    const guides = items[1] as SidebarGroupItem;
    const setup = guides.entries[2] as SidebarGroupItem;
    expect(guides.collapsed).toBe(false);
    expect(setup.collapsed).toBe(true);
  });

  it('lists several roots side by side when there is no single home page', () => {
    const entries = [entry('guides', 'Guides', '10', undefined, 2), entry('guides/a', 'A', '11', '10'), entry('faq', 'FAQ', '20', undefined, 1)];
    expect(outline(confluenceSidebar(entries, '/')!)).toEqual(['FAQ', { Guides: ['Guides', 'A'] }]);
  });

  it('treats a page whose parent is not published as a root', () => {
    const entries = [entry('index', 'Home', '1'), entry('orphan', 'Orphan', '50', '49', 0)];
    expect(outline(confluenceSidebar(entries, '/')!)).toEqual(['Home', 'Orphan']);
  });

  it('prefixes hrefs with the base path, with or without a trailing slash', () => {
    for (const base of ['/docs', '/docs/']) {
      const links = flattenLinks(confluenceSidebar(space(), base)!);
      expect(links.map((l) => l.href)).toEqual(['/docs/', '/docs/guides/', '/docs/guides/intro/', '/docs/guides/setup/', '/docs/guides/setup/linux/', '/docs/api/']);
    }
  });

  it('ignores entries that do not come from Confluence, and is null without any', () => {
    const mixed = [...space(), { id: 'about', data: { title: 'About' } }];
    expect(flattenLinks(confluenceSidebar(mixed, '/')!).map((l) => l.label)).not.toContain('About');
    expect(confluenceSidebar([{ id: 'about', data: { title: 'About' } }], '/')).toBeNull();
  });

  it('marks nothing current when built', () => {
    expect(flattenLinks(confluenceSidebar(space(), '/')!).some((l) => l.isCurrent)).toBe(false);
  });
});

describe('markCurrent', () => {
  it('marks exactly the link of the current page, in a copy', () => {
    const items = confluenceSidebar(space(), '/docs/')!;
    const marked = markCurrent(items, '/docs/guides/setup/');
    expect(flattenLinks(marked).filter((l) => l.isCurrent).map((l) => l.label)).toEqual(['Setup']);
    expect(flattenLinks(items).some((l) => l.isCurrent)).toBe(false);
  });

  it('matches without a trailing slash and with encoded characters', () => {
    const items = [
      { type: 'link', label: 'Über', href: '/%C3%BCber/', isCurrent: false, badge: undefined, attrs: {} },
      { type: 'link', label: 'Home', href: '/', isCurrent: false, badge: undefined, attrs: {} },
    ] as SidebarItem[];
    expect(flattenLinks(markCurrent(items, '/über')).map((l) => l.isCurrent)).toEqual([true, false]);
    expect(flattenLinks(markCurrent(items, '/')).map((l) => l.isCurrent)).toEqual([false, true]);
  });
});

describe('entryHref', () => {
  it('maps the index entry to the base itself', () => {
    expect(entryHref('/', 'index')).toBe('/');
    expect(entryHref('/base', 'index')).toBe('/base/');
    expect(entryHref('/base', 'a/b')).toBe('/base/a/b/');
  });
});
