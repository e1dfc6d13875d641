/**
 * Regenerates the demo space's binary attachments from their sources:
 * PNGs from the SVGs in demo/assets-src (with sharp, a root devDependency) and a small PDF
 * written by hand (a PDF is plain text plus a byte-offset table). Run:
 *   node packages/confluence-stand-in/scripts/make-demo-assets.ts
 * The outputs are committed, so builds never need this script.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';

const demo = new URL('../demo/', import.meta.url);
const out = new URL('attachments/', demo);
mkdirSync(out, { recursive: true });

for (const name of ['diagram', 'Sync flow']) {
  const svg = readFileSync(new URL(`assets-src/${name}.svg`, demo));
  const png = await sharp(svg).png({ compressionLevel: 9, palette: true }).toBuffer();
  writeFileSync(new URL(`${name}.png`, out), png);
}

writeFileSync(new URL('quick-reference.pdf', out), makePdf([
  'Confluence to Starlight - quick reference',
  '',
  'npm install && npm run build    build the site into dist/',
  'npm test                        run the test suite',
  'npm run preview                 serve dist/ locally',
  'npm run stand-in                local stand-in for Confluence',
  '',
  'CONFLUENCE_SPACE_KEY or CONFLUENCE_ROOT_PAGE_ID: what to publish',
  'CONFLUENCE_SITE: acme.atlassian.net',
  'CONFLUENCE_ACCESS_TOKEN, or CLIENT_ID + CLIENT_SECRET + REFRESH_TOKEN',
  'CONFLUENCE_EXCLUDE_LABELS: labels never published',
  'CONFLUENCE_SNAPSHOT: build offline from a snapshot',
]));

/** A one-page PDF with one line of Helvetica per entry. */
function makePdf(lines: string[]): Buffer {
  const esc = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);
  const text = lines.map((l, i) => `BT /F1 ${i === 0 ? 16 : 11} Tf 56 ${780 - i * 22} Td (${esc(l)}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
