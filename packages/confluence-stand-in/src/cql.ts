/**
 * The CQL subset the loader may use (contract.md §3): `space = "KEY"`, `type = page`,
 * `label = "x"`, `label in ("x","y")`, joined by AND. Anything else is refused loudly, so a
 * loader that drifts beyond the contract fails in tests rather than against a real site.
 */

export type CqlClause =
  | { field: 'space' | 'type' | 'label'; op: '='; values: [string] }
  | { field: 'space' | 'type' | 'label'; op: 'in'; values: string[] };

export class CqlError extends Error {}

const TOKEN = /\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\(|\)|,|!=|=|~)|([A-Za-z0-9_.:-]+))/y;

interface Token {
  kind: 'string' | 'punct' | 'word';
  text: string;
}

function tokenize(cql: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < cql.length) {
    if (/^\s*$/.test(cql.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(cql);
    if (!m) throw new CqlError(`Could not parse cql: unexpected character at position ${pos}`);
    pos = TOKEN.lastIndex;
    if (m[1] !== undefined || m[2] !== undefined) {
      out.push({ kind: 'string', text: (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1') });
    } else if (m[3] !== undefined) out.push({ kind: 'punct', text: m[3] });
    else out.push({ kind: 'word', text: m[4] as string });
  }
  return out;
}

export function parseCql(cql: string): CqlClause[] {
  const tokens = tokenize(cql);
  const clauses: CqlClause[] = [];
  let i = 0;
  const next = () => tokens[i++];
  const value = (): string => {
    const t = next();
    if (!t || t.kind === 'punct') throw new CqlError('Could not parse cql: expected a value');
    return t.text;
  };
  if (!tokens.length) throw new CqlError('Could not parse cql: empty query');
  for (;;) {
    const f = next();
    const field = f?.kind === 'word' ? f.text.toLowerCase() : '';
    if (field !== 'space' && field !== 'type' && field !== 'label') {
      throw new CqlError(`Unsupported CQL field "${f?.text ?? ''}": the stand-in accepts only space, type and label`);
    }
    const op = next();
    if (op?.kind === 'punct' && op.text === '=') {
      clauses.push({ field, op: '=', values: [value()] });
    } else if (op?.kind === 'word' && op.text.toLowerCase() === 'in' && field !== 'type') {
      const open = next();
      if (open?.text !== '(') throw new CqlError('Could not parse cql: expected "(" after IN');
      const values = [value()];
      for (let t = next(); t?.text !== ')'; t = next()) {
        if (t?.text !== ',') throw new CqlError('Could not parse cql: expected "," or ")" in IN list');
        values.push(value());
      }
      clauses.push({ field, op: 'in', values });
    } else {
      throw new CqlError(`Unsupported CQL operator "${op?.text ?? ''}" for ${field}`);
    }
    const joiner = next();
    if (!joiner) break;
    if (joiner.kind !== 'word' || joiner.text.toLowerCase() !== 'and') {
      throw new CqlError(`Unsupported CQL "${joiner.text}": clauses may only be joined by AND`);
    }
  }
  for (const c of clauses) {
    if (c.field === 'type' && c.values.some((v) => !['page', 'blogpost', 'folder'].includes(v.toLowerCase()))) {
      throw new CqlError(`Unsupported CQL type "${c.values.join(',')}"`);
    }
  }
  return clauses;
}

export interface CqlSubject {
  spaceKey: string;
  type: string;
  labels: readonly string[];
}

export function matchesCql(clauses: readonly CqlClause[], s: CqlSubject): boolean {
  return clauses.every((c) => {
    if (c.field === 'space') return c.values.some((v) => v.toLowerCase() === s.spaceKey.toLowerCase());
    if (c.field === 'type') return c.values.some((v) => v.toLowerCase() === s.type);
    return c.values.some((v) => s.labels.includes(v.toLowerCase()) || s.labels.includes(v));
  });
}
