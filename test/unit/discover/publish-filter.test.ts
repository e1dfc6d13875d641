import { describe, expect, it } from 'vitest';
import { decidePublication, restrictionCandidates } from '../../../packages/astro-loader-confluence/src/discover/publish-filter.ts';
import { idOf, treeFromSpec } from '../../helpers/tree.ts';

const tree = () => treeFromSpec({ Home: { Public: { Deep: {} }, HR: { Salaries: { '2024': {} } }, Drafts: { Idea: {} } } });
const none = new Set<string>();

describe('decidePublication', () => {
  it('publishes everything when nothing is restricted or labelled', () => {
    const t = tree();
    const { published, excluded } = decidePublication(t, { restricted: none, labelled: none });
    expect(published.size).toBe(t.pages.size);
    expect(excluded.size).toBe(0);
  });

  it('leaves out a restricted page and every descendant, as restricted', () => {
    const t = tree();
    const { published, excluded } = decidePublication(t, { restricted: new Set([idOf(t, 'HR')]), labelled: none });
    for (const title of ['HR', 'Salaries', '2024']) {
      expect(published.has(idOf(t, title))).toBe(false);
      expect(excluded.get(idOf(t, title))).toBe('restricted');
    }
    for (const title of ['Home', 'Public', 'Deep', 'Drafts', 'Idea']) expect(published.has(idOf(t, title))).toBe(true);
  });

  it('leaves out a labelled page and every descendant, as excluded-label', () => {
    const t = tree();
    const { published, excluded } = decidePublication(t, { restricted: none, labelled: new Set([idOf(t, 'Drafts')]) });
    expect(published.has(idOf(t, 'Idea'))).toBe(false);
    expect(excluded.get(idOf(t, 'Drafts'))).toBe('excluded-label');
    expect(excluded.get(idOf(t, 'Idea'))).toBe('excluded-label');
    expect(published.size + excluded.size).toBe(t.pages.size);
  });

  it('gives descendants the reason of the topmost excluded ancestor', () => {
    const t = tree();
    const decision = decidePublication(t, {
      restricted: new Set([idOf(t, '2024')]),
      labelled: new Set([idOf(t, 'HR')]),
    });
    expect(decision.excluded.get(idOf(t, 'HR'))).toBe('excluded-label');
    expect(decision.excluded.get(idOf(t, '2024'))).toBe('excluded-label');
  });

  it('calls a page that is both restricted and labelled restricted', () => {
    const t = tree();
    const id = idOf(t, 'Deep');
    expect(decidePublication(t, { restricted: new Set([id]), labelled: new Set([id]) }).excluded.get(id)).toBe('restricted');
  });

  it('publishes nothing when the home page is restricted', () => {
    const t = tree();
    const { published, excluded } = decidePublication(t, { restricted: new Set([idOf(t, 'Home')]), labelled: none });
    expect(published.size).toBe(0);
    expect(excluded.size).toBe(t.pages.size);
  });

  it('ignores ids that are not in the tree', () => {
    const t = tree();
    expect(decidePublication(t, { restricted: new Set(['999']), labelled: new Set(['998']) }).published.size).toBe(t.pages.size);
  });
});

describe('restrictionCandidates', () => {
  it('yields every page in tree order except those skipped', () => {
    const t = tree();
    const skip = new Set([idOf(t, 'Deep'), idOf(t, 'Idea')]);
    const titles = [...restrictionCandidates(t, (id) => skip.has(id))].map((id) => t.pages.get(id)!.title);
    expect(titles).toEqual(['Home', 'Public', 'HR', 'Salaries', '2024', 'Drafts']);
  });
});
