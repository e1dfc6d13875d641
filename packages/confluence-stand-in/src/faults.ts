/**
 * Fault injection. Transient faults hit a seeded fraction of requests, so a run that fails can
 * be replayed with the same seed; permanent faults ("this page always fails") let tests prove
 * that the loader splits or reports instead of retrying forever.
 */
import { createRng } from './rng.ts';

export type RequestKind = 'export' | 'rest' | 'auth' | 'tenant';

export interface FaultOptions {
  /** Fraction of eligible requests that fail, 0..1. */
  rate: number;
  seed?: number;
  /** Statuses to draw from; default 429, 500, 502, 503, 504. */
  statuses?: number[];
  /** Also drop the connection (no HTTP answer) as one of the outcomes. */
  drop?: boolean;
  /** Retry-After sent with 429 and 503; default 0 (seconds) so test suites stay fast. */
  retryAfter?: number | string;
  /** Which request kinds are eligible; default export and rest. */
  kinds?: RequestKind[];
}

export type FaultDecision =
  | { type: 'none' }
  | { type: 'drop' }
  | { type: 'status'; status: number; retryAfter?: string };

/** What a permanent-failure rule sees of a request. */
export interface RequestInfo {
  kind: RequestKind;
  method: string;
  path: string;
  body: unknown;
  /** Pages the request concerns: the page in a REST path, or every page an export would hold. */
  pageIds: readonly string[];
}

export interface PermanentRule {
  kind?: RequestKind;
  /** Matches any request concerning this page (an export that includes it, a REST call on it). */
  pageId?: string;
  /** Matches the request path (string: substring). */
  path?: string | RegExp;
  status?: number;
  message?: string;
}

export type PermanentFault = PermanentRule | ((request: RequestInfo) => boolean | number);

export const DEFAULT_FAULT_STATUSES = [429, 500, 502, 503, 504];

export class Faults {
  private options: FaultOptions | undefined;
  private rng: () => number = Math.random;
  private readonly permanent: PermanentFault[] = [];

  set(options: FaultOptions): void {
    this.options = { ...options };
    this.rng = createRng(options.seed ?? 1);
  }

  clear(): void {
    this.options = undefined;
    this.permanent.length = 0;
  }

  /** One decision per eligible request; always two draws, so the sequence only depends on order. */
  decide(kind: RequestKind): FaultDecision {
    const o = this.options;
    if (!o || o.rate <= 0) return { type: 'none' };
    if (!(o.kinds ?? ['export', 'rest']).includes(kind)) return { type: 'none' };
    const hit = this.rng();
    const which = this.rng();
    if (hit >= o.rate) return { type: 'none' };
    const outcomes: Array<number | 'drop'> = [...(o.statuses ?? DEFAULT_FAULT_STATUSES)];
    if (o.drop) outcomes.push('drop');
    const outcome = outcomes[Math.floor(which * outcomes.length)] ?? 500;
    if (outcome === 'drop') return { type: 'drop' };
    const retryAfter = outcome === 429 || outcome === 503 ? String(o.retryAfter ?? 0) : undefined;
    return { type: 'status', status: outcome, retryAfter };
  }

  failAlways(rule: PermanentFault): () => void {
    this.permanent.push(rule);
    return () => {
      const i = this.permanent.indexOf(rule);
      if (i >= 0) this.permanent.splice(i, 1);
    };
  }

  /** The status (and message) of the first permanent rule matching the request, if any. */
  permanentFor(request: RequestInfo): { status: number; message?: string } | undefined {
    for (const rule of this.permanent) {
      if (typeof rule === 'function') {
        const r = rule(request);
        if (r === true) return { status: 500 };
        if (typeof r === 'number') return { status: r };
        continue;
      }
      if (rule.kind && rule.kind !== request.kind) continue;
      if (rule.pageId !== undefined && !request.pageIds.includes(String(rule.pageId))) continue;
      if (rule.path !== undefined) {
        const ok = typeof rule.path === 'string' ? request.path.includes(rule.path) : rule.path.test(request.path);
        if (!ok) continue;
      }
      return { status: rule.status ?? 500, message: rule.message };
    }
    return undefined;
  }
}
