import { describe, expect, it } from 'vitest';
import { buildReport, reportSummary } from '../../packages/astro-loader-confluence/src/sync-report.ts';
import type { SyncOutcome } from '../../packages/astro-loader-confluence/src/sync/sync.ts';
import { treeFromSpec, idOf } from '../helpers/tree.ts';

const tree = treeFromSpec({ Home: { Guide: {}, 'Secret plans': { 'Secret child': {} }, 'Internal notes': {} } });
const secret = idOf(tree, 'Secret plans');
const child = idOf(tree, 'Secret child');
const internal = idOf(tree, 'Internal notes');
const published = new Set([idOf(tree, 'Home'), idOf(tree, 'Guide')]);
const outcome = {
  discovery: { tree, restricted: new Set([secret]), labelled: new Set([internal]), fromRest: true, warnings: [] },
  decision: { published, excluded: new Map([[secret, 'restricted'], [child, 'restricted'], [internal, 'excluded-label']]) },
  sitePaths: { paths: new Map(), warnings: [] },
  state: { key: 'k', pages: {} },
  fetched: new Set([idOf(tree, 'Guide')]),
  exportCalls: 1,
  exportIds: ['exp-1'],
} as unknown as SyncOutcome;

describe('the sync report', () => {
  const report = buildReport({
    outcome,
    built: {
      entries: [],
      warnings: [],
      unresolved: [
        { fromPageId: '1', url: `https://acme.atlassian.net/wiki/spaces/FAKE/pages/${secret}/Secret+plans`, text: 'Secret plans', reason: 'restricted' },
        { fromPageId: '1', url: '/wiki/display/FAKE/Internal+notes', text: 'Internal notes', reason: 'excluded-label' },
      ],
      missingAttachments: [{ pageId: '1', fileName: 'photo.png' }],
    },
    sourceLabel: 'space FAKE on acme.atlassian.net',
    siteHost: 'acme.atlassian.net',
  }, new Date('2026-12-01T10:00:00Z'));

  it('counts what was published and exported, and names what was left out by reason and id', () => {
    expect(report.pages).toEqual({ published: 2, exported: 1, fromCache: 1 });
    expect(report.leftOut).toEqual({ restricted: [secret, child], 'excluded-label': [internal] });
    expect(report.calls).toEqual({ export: 1, exportIds: ['exp-1'] });
    expect(report.missingAttachments).toEqual([{ pageId: '1', fileName: 'photo.png' }]);
  });

  it('lists unresolved links by page id, the target too when the link names it, never by title or URL', () => {
    expect(report.unresolvedLinks).toEqual([
      { fromPageId: '1', reason: 'restricted', targetId: secret },
      { fromPageId: '1', reason: 'excluded-label' },
    ]);
    const text = JSON.stringify(report) + reportSummary(report);
    for (const hidden of ['Secret', 'Internal', '/wiki/']) expect(text).not.toContain(hidden);
  });

  it('sums it up in a table for the GitHub Actions run page', () => {
    expect(reportSummary(report)).toContain('| pages published | 2 (1 exported, 1 from the cache) |');
    expect(reportSummary(report)).toContain('| left out | 2 restricted, 1 excluded-label |');
  });
});
