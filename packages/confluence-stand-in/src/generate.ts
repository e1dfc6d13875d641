/**
 * Generated spaces for tests and benchmarks: deterministic for a seed, shaped like real spaces
 * (ids that grow with creation time, sibling positions unrelated to ids, bodies of realistic size
 * that link to each other in every form Confluence produces).
 */
import { noisePng, solidPng } from './png.ts';
import { createRng, pick, shuffle } from './rng.ts';
import { BASE_DATE, type PageSpec, type SpaceSpec } from './space.ts';
import { tinyLinkCode } from './tiny-link.ts';

export type SpaceShape = 'balanced' | 'deep' | 'flat' | 'mixed';

export interface GenerateOptions {
  shape: SpaceShape;
  size: number;
  seed?: number;
  key?: string;
  name?: string;
  site?: string;
  /** Pages given a read restriction (default size/100, rounded down). */
  restrictedCount?: number;
  /** Pages labelled with `excludedLabel` (default size/100, rounded down). */
  excludedCount?: number;
  excludedLabel?: string;
  /** Fraction of pages with a PNG attachment (default 0.05). */
  attachmentRate?: number;
  /**
   * Size of those attachments in KB, as noise PNGs that do not compress (default: an 8×8 image of
   * a few hundred bytes). Over 300 the app leaves them out; a few of 200 fill one export's 2 MB.
   */
  attachmentKb?: number;
  /** Give a few siblings titles that slugify alike (default true). */
  collisions?: boolean;
}

/** Marker text in every page that is restricted itself or through an ancestor. */
export const RESTRICTED_MARKER = 'RESTRICTED-MARKER-7f3a';
/** Marker text in every page that carries the excluded label or sits under one that does. */
export const EXCLUDED_MARKER = 'EXCLUDED-MARKER-2c9d';

// A small real PNG: enough for "an image attachment" without bloating archives.
const TINY_PNG = solidPng(8, 8, [40, 90, 200]);

/** A PNG of about `kb` kilobytes. */
function sizedPng(kb: number, seed: number): Uint8Array {
  const side = Math.max(1, Math.round(Math.sqrt((kb * 1024) / 3)));
  return noisePng(side, side, seed + 1);
}

const ADJECTIVES = ['Quarterly', 'Shared', 'Internal', 'Legacy', 'Modern', 'Customer', 'Regional', 'Automated', 'Manual', 'Secure', 'Mobile', 'Cloud', 'Partner', 'Weekly', 'Core', 'Public', 'Offline', 'Staging', 'Annual', 'Team'];
const NOUNS = ['Onboarding', 'Billing', 'Deployments', 'Roadmap', 'Incidents', 'Architecture', 'Runbooks', 'Release Notes', 'Metrics', 'Access Control', 'Search', 'Payments', 'Backups', 'Migrations', 'Reporting', 'Integrations', 'Support Playbook', 'Design System', 'API Gateway', 'Data Retention', 'Alerting', 'Caching', 'Localization', 'Feature Flags', 'Code Review'];
const SPECIAL_TITLES = ['Café Setup', 'Straße Planning', 'Ærø Migration', 'Łódź Office', 'Déjà Vu Checks', 'Façade Patterns', 'Naïve Caching', 'Smörgåsbord of Tips', 'CI/CD Pipelines', 'Q3: Roadmap', 'Œuvre Catalogue', 'Ørsted Notes', 'FAQ & Tips', 'C++ Style Guide', 'Über Dashboard'];
const HEADINGS = ['Overview', 'Background', 'Prerequisites', 'How it works', 'Configuration', 'Step by step', 'Known issues', 'Troubleshooting', 'Rollout plan', 'Open questions', 'Decision log', 'Monitoring', 'Security notes', 'Related pages', 'Glossary', 'Next steps'];
const SENTENCES = [
  'This page describes how the team handles the process from the first request to the final sign-off.',
  'Most of the work happens asynchronously, so the checklist below is the single source of truth.',
  'When something looks off, compare the current state with the previous release before changing anything.',
  'The owners listed in the table are responsible for keeping this section accurate after every change.',
  'Automated checks run on every merge and report their results in the team channel within minutes.',
  'Expect the numbers to fluctuate during the first week after a rollout while caches warm up again.',
  'If you are unsure which option applies, start with the defaults and revisit them after a review.',
  'We keep the historical context here because decisions made years ago still shape the constraints today.',
  'Every environment mirrors production as closely as the budget allows, with data anonymised nightly.',
  'A short write-up after each incident helps the next person recognise the same symptoms faster.',
  'Dependencies are pinned and upgraded in small batches so that regressions are easy to bisect.',
  'The dashboard links at the bottom of this page show live values; the figures here are a snapshot.',
  'Requests from other teams go through the intake form so they can be prioritised transparently.',
  'Nothing on this page is secret, but please avoid copying customer names into public channels.',
];
const LANGS: Array<[string, string]> = [
  ['bash', 'npm ci\nnpm run build -- --mode production\n./scripts/deploy.sh --region eu-west-1'],
  ['json', '{\n  "service": "billing",\n  "replicas": 3,\n  "timeoutMs": 2500,\n  "features": ["retry", "audit"]\n}'],
  ['typescript', "export async function fetchReport(id: string): Promise<Report> {\n  const res = await fetch(`/api/reports/${id}`);\n  if (!res.ok) throw new Error(`report ${id}: ${res.status}`);\n  return res.json();\n}"],
  ['yaml', 'jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm test'],
  ['sql', "SELECT account_id, count(*) AS invoices\nFROM invoices\nWHERE issued_at >= now() - interval '30 days'\nGROUP BY account_id\nORDER BY invoices DESC;"],
];

/** Parent index (or -1) for each page in creation order. */
function shapeTree(shape: SpaceShape, size: number, rng: () => number): number[] {
  const parents: number[] = [];
  const depth: number[] = [];
  const add = (p: number) => {
    parents.push(p);
    depth.push(p < 0 ? 0 : (depth[p] as number) + 1);
  };
  if (shape === 'flat') {
    for (let i = 0; i < size; i++) add(i === 0 ? -1 : 0);
  } else if (shape === 'balanced') {
    const top = Math.min(10, size);
    for (let i = 0; i < size; i++) add(i < top ? -1 : Math.floor((i - top) / 10));
  } else if (shape === 'deep') {
    const top = size >= 40 ? 2 : 1;
    for (let i = 0; i < size; i++) {
      if (i < top) add(-1);
      else if (rng() < 0.85 && (depth[i - 1] as number) < 30) add(i - 1);
      else {
        const shallow = parents.map((_, j) => j).filter((j) => (depth[j] as number) < 5);
        add(pick(rng, shallow));
      }
    }
  } else {
    // mixed: a few subtrees over 100 pages (they force the loader to split) and many small ones.
    const big = Math.max(120, Math.floor(size * 0.3));
    const sizes: number[] = [];
    let left = size;
    for (let b = 0; b < 2 && left >= big + 10; b++) {
      sizes.push(big);
      left -= big;
    }
    while (left > 0) {
      const s = Math.min(left, 1 + Math.floor(rng() * 12));
      sizes.push(s);
      left -= s;
    }
    shuffle(rng, sizes);
    for (const s of sizes) {
      const root = parents.length;
      add(-1);
      const fan = s > 100 ? 8 : 3;
      for (let k = 1; k < s; k++) add(root + Math.floor((k - 1) / fan));
    }
  }
  return parents;
}

export function generateSpace(options: GenerateOptions): SpaceSpec {
  const { shape, size } = options;
  const seed = options.seed ?? 1;
  const key = options.key ?? 'GEN';
  const site = options.site ?? 'generated.atlassian.net';
  const rng = createRng(seed * 7919 + size);
  const parents = shapeTree(shape, size, rng);

  // Ids grow with creation order (as Confluence's do), with gaps.
  const ids: string[] = [];
  let next = 4986372097n + BigInt(seed % 1000) * 100000n;
  for (let i = 0; i < size; i++) {
    next += BigInt(1 + Math.floor(rng() * 5000));
    ids.push(next.toString());
  }

  const childrenOf = new Map<number, number[]>();
  parents.forEach((p, i) => {
    const list = childrenOf.get(p);
    if (list) list.push(i);
    else childrenOf.set(p, [i]);
  });

  // Sibling positions: a shuffle of the creation order, so positions never follow ids.
  const positions: number[] = new Array(size).fill(0);
  for (const kids of childrenOf.values()) {
    const order = shuffle(rng, kids.map((_, i) => i));
    kids.forEach((k, i) => {
      positions[k] = (order[i] as number) * 10 + Math.floor(rng() * 5);
    });
  }

  const titles = makeTitles(size, parents, childrenOf, rng, options.collisions ?? true);
  const headings = ids.map(() => shuffle(rng, [...HEADINGS]).slice(0, 4));

  // Restricted and excluded pages (never top-level, so the tree keeps a public spine).
  const candidates = shuffle(rng, ids.map((_, i) => i).filter((i) => parents[i] !== -1));
  const restricted = new Set(candidates.slice(0, options.restrictedCount ?? Math.floor(size / 100)));
  const excluded = new Set(
    candidates.slice(restricted.size, restricted.size + (options.excludedCount ?? Math.floor(size / 100))),
  );
  const excludedLabel = options.excludedLabel ?? 'internal';
  const inherits = (i: number, set: Set<number>): boolean => {
    for (let j = i; j !== -1; j = parents[j] as number) if (set.has(j)) return true;
    return false;
  };

  const ctx: BodyContext = { rng, ids, titles, headings, key, site };
  const attachmentRate = options.attachmentRate ?? 0.05;
  const pages: PageSpec[] = ids.map((id, i) => {
    const labels: string[] = [];
    if (excluded.has(i)) labels.push(excludedLabel);
    if (rng() < 0.2) labels.push(pick(rng, ['howto', 'reference', 'runbook', 'faq']));
    const attachments =
      rng() < attachmentRate ? [{ fileName: `diagram-${id}.png`, mediaType: 'image/png', data: options.attachmentKb ? sizedPng(options.attachmentKb, i) : TINY_PNG }] : [];
    const markers = [
      inherits(i, restricted) ? `${RESTRICTED_MARKER}: this page is restricted.` : '',
      inherits(i, excluded) ? `${EXCLUDED_MARKER}: this page is labelled ${excludedLabel}.` : '',
    ].filter(Boolean);
    const page: PageSpec = {
      id,
      title: titles[i] as string,
      position: positions[i] as number,
      body: makeBody(ctx, i, markers, attachments[0]?.fileName),
      labels,
      version: { number: 1 + Math.floor(rng() * 5), createdAt: new Date(BASE_DATE + i * 60_000).toISOString() },
      attachments,
    };
    if (parents[i] !== -1) page.parentId = ids[parents[i] as number];
    if (restricted.has(i)) page.restricted = { groups: ['confluence-admins'] };
    return page;
  });

  return { key, name: options.name ?? `Generated ${shape} space (${size} pages)`, id: String(100000 + seed), site, pages };
}

function makeTitles(
  size: number,
  parents: number[],
  childrenOf: Map<number, number[]>,
  rng: () => number,
  collisions: boolean,
): string[] {
  const used = new Set<string>();
  const titles: string[] = [];
  const unique = (t: string) => {
    let title = t;
    for (let n = 2; used.has(title); n++) title = `${t} ${n}`;
    used.add(title);
    return title;
  };
  for (let i = 0; i < size; i++) {
    const siblings = childrenOf.get(parents[i] as number) ?? [];
    const earlier = siblings.filter((s) => s < i);
    // Confluence titles are unique in a space, but "Setup Guide" and "Setup & Guide" both slugify
    // to setup-guide: the collision the archive has to deal with.
    if (collisions && earlier.length && rng() < 0.03) {
      const base = titles[earlier[earlier.length - 1] as number] as string;
      const variant = base.includes(' ') ? base.replace(' ', ' & ') : `${base}!`;
      if (!used.has(variant)) {
        used.add(variant);
        titles.push(variant);
        continue;
      }
    }
    const t = rng() < 0.05 ? pick(rng, SPECIAL_TITLES) : `${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS)}`;
    titles.push(unique(t));
  }
  return titles;
}

interface BodyContext {
  rng: () => number;
  ids: string[];
  titles: string[];
  headings: string[][];
  key: string;
  site: string;
}

/** Confluence's heading anchors: the heading text with spaces turned into hyphens. */
export function confluenceAnchor(heading: string): string {
  return heading.replace(/[^\p{L}\p{N}\s-]/gu, '').trim().replace(/\s+/g, '-');
}

const titleWords = (t: string) => encodeURIComponent(t).replace(/%20/g, '+');

function linkTo(ctx: BodyContext, target: number, form: number): string {
  const id = ctx.ids[target] as string;
  const title = ctx.titles[target] as string;
  const { site, key } = ctx;
  switch (form % 6) {
    case 0:
      return `[${title}](https://${site}/wiki/spaces/${key}/pages/${id}/${titleWords(title)})`;
    case 1:
      return `[${title}](/wiki/spaces/${key}/pages/${id})`;
    case 2:
      return `[${title}](/wiki/pages/viewpage.action?pageId=${id})`;
    case 3:
      return `[${title}](/wiki/display/${key}/${titleWords(title)})`;
    case 4:
      return `[${title}](https://${site}/wiki/x/${tinyLinkCode(id)})`;
    default: {
      const h = ctx.headings[target]?.[1] ?? 'Overview';
      return `[${title}: ${h}](https://${site}/wiki/spaces/${key}/pages/${id}/${titleWords(title)}#${confluenceAnchor(h)})`;
    }
  }
}

function paragraph(rng: () => number, n: number, link?: string): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(pick(rng, SENTENCES));
  if (link) parts.splice(1 + Math.floor(rng() * (n - 1)), 0, `See ${link} for details.`);
  return parts.join(' ');
}

function makeBody(ctx: BodyContext, i: number, markers: string[], attachment: string | undefined): string {
  const { rng, ids } = ctx;
  const others = () => {
    if (ids.length < 2) return undefined;
    let t = Math.floor(rng() * ids.length);
    if (t === i) t = (t + 1) % ids.length;
    return t;
  };
  const link = (form: number) => {
    const t = others();
    return t === undefined ? undefined : linkTo(ctx, t, form);
  };
  const base = Math.floor(rng() * 6);
  const [h1, h2, h3, h4] = ctx.headings[i] as [string, string, string, string];
  const [lang, code] = pick(rng, LANGS);
  const out: string[] = [];
  out.push(...markers);
  out.push(paragraph(rng, 3, link(base)));
  out.push(`## ${h1}`, paragraph(rng, 4, link(base + 1)));
  out.push(
    [`- ${pick(rng, SENTENCES)}`, `- Related: ${link(base + 2) ?? 'none yet'}`, `- ${pick(rng, SENTENCES)}`, `- Jump to [${h3}](#${confluenceAnchor(h3)})`].join('\n'),
  );
  out.push(`## ${h2}`, paragraph(rng, 3));
  const rows = ['| Setting | Value | Owner |', '| --- | --- | --- |'];
  for (let r = 0; r < 4; r++) rows.push(`| ${pick(rng, ADJECTIVES).toLowerCase()}_${r} | ${Math.floor(rng() * 1000)} | ${pick(rng, ['Platform', 'Payments', 'Docs', 'SRE'])} |`);
  out.push(rows.join('\n'));
  out.push(`\`\`\`${lang}\n${code}\n\`\`\``);
  if (attachment) out.push(`![Diagram for ${ctx.titles[i]}](attachments/${attachment})`);
  out.push(`## ${h3}`, paragraph(rng, 4, link(base + 3)));
  out.push(`### ${h4}`, paragraph(rng, 3, link(base + 4)));
  out.push(`1. ${pick(rng, SENTENCES)}\n2. ${pick(rng, SENTENCES)}\n3. Read ${link(base + 5) ?? 'the overview'} next.`);
  return `${out.join('\n\n')}\n`;
}
