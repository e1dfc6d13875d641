#!/usr/bin/env node
/**
 * `npm run stand-in`: serve a space locally and print the variables that point the loader at it.
 * Flags: --port N, --space demo|balanced-1000|deep-500|flat-200|mixed-2000 (shape-size[-seed]),
 * --latency-ms N, --fault-rate R, --fault-seed N, --no-rest-scopes.
 */
import { parseArgs } from 'node:util';
import { demoSpace } from './demo.ts';
import { generateSpace, type SpaceShape } from './generate.ts';
import { start } from './server.ts';
import type { SpaceSpec } from './space.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    space: { type: 'string', default: 'demo' },
    'latency-ms': { type: 'string', default: '0' },
    'fault-rate': { type: 'string', default: '0' },
    'fault-seed': { type: 'string', default: '1' },
    'no-rest-scopes': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log('Usage: npm run stand-in -- [--port 4010] [--space demo|balanced-1000|deep-500|flat-200|mixed-2000[-SEED]] [--latency-ms N] [--fault-rate 0.1] [--fault-seed 1] [--no-rest-scopes]');
  process.exit(0);
}

function spaceFrom(name: string): SpaceSpec {
  if (name === 'demo') return demoSpace();
  const m = /^(balanced|deep|flat|mixed)-(\d+)(?:-(\d+))?$/.exec(name);
  if (!m) {
    console.error(`Unknown --space "${name}": use demo or SHAPE-SIZE[-SEED], e.g. balanced-1000`);
    process.exit(2);
  }
  return generateSpace({ shape: m[1] as SpaceShape, size: Number(m[2]), seed: Number(m[3] ?? 1) });
}

const latency = Number(values['latency-ms']);
const rate = Number(values['fault-rate']);
const s = await start({
  port: Number(values.port),
  space: spaceFrom(values.space),
  restScopes: !values['no-rest-scopes'],
  latency: { exportMs: latency, restMs: latency },
  faults: rate > 0 ? { rate, seed: Number(values['fault-seed']) } : undefined,
});

console.log(`Confluence stand-in serving space ${s.space.key} (${s.space.size} pages) at ${s.url}

  export API    ${s.exportUrl}
  REST API      ${s.apiUrl}/wiki/api/v2/...
  token URL     ${s.authUrl}
  authorize     ${s.authorizeUrl}
  tenant info   ${s.url}/_edge/tenant_info

Point the loader at it:

export CONFLUENCE_SITE=${s.url}
export CONFLUENCE_SPACE_KEY=${s.space.key}
export CONFLUENCE_EXPORT_URL=${s.exportUrl}
export CONFLUENCE_API_URL=${s.apiUrl}
export CONFLUENCE_AUTH_URL=${s.authUrl}
export CONFLUENCE_ACCESS_TOKEN=${s.accessToken}

Or the OAuth refresh flow instead of the access token:

export CONFLUENCE_CLIENT_ID=${s.oauth.clientId}
export CONFLUENCE_CLIENT_SECRET=${s.oauth.clientSecret}
export CONFLUENCE_REFRESH_TOKEN=${s.oauth.refreshToken}

Press Ctrl-C to stop.`);

const shutdown = () => {
  void s.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
