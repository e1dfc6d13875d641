/**
 * An attachment's format from its first bytes (sync/image-format.ts), checked against real images
 * encoded by sharp (the encoder Astro's image pipeline uses) and against what breaks that pipeline:
 * filler under an image's name, a file cut short, another format, an empty file.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { IMAGE_SNIFF_BYTES, imageFormat, PIPELINE_FORMATS } from '../../../packages/astro-loader-confluence/src/sync/image-format.ts';

const picture = () => sharp({ create: { width: 3, height: 2, channels: 3, background: '#36c' } });
const prefix = (bytes: Uint8Array) => bytes.subarray(0, IMAGE_SNIFF_BYTES);

describe('imageFormat', () => {
  it('knows every raster format from the first bytes of a real file', async () => {
    const encoded = {
      png: await picture().png().toBuffer(),
      jpeg: await picture().jpeg().toBuffer(),
      gif: await picture().gif().toBuffer(),
      webp: await picture().webp().toBuffer(),
      webpLossless: await picture().webp({ lossless: true }).toBuffer(),
      avif: await picture().avif().toBuffer(),
      tiff: await picture().tiff().toBuffer(),
    };
    expect(Object.fromEntries(Object.entries(encoded).map(([name, bytes]) => [name, imageFormat(prefix(bytes))]))).toEqual({
      png: 'png', jpeg: 'jpeg', gif: 'gif', webp: 'webp', webpLossless: 'webp', avif: 'avif', tiff: 'tiff',
    });
    for (const format of ['png', 'jpeg', 'gif', 'webp', 'avif', 'tiff'] as const) expect(PIPELINE_FORMATS.has(format)).toBe(true);
  });

  it('knows BMP and ICO, which a browser shows but Astro\'s pipeline does not read', () => {
    const bmp = new Uint8Array(54);
    bmp.set([0x42, 0x4d]);
    const ico = new Uint8Array([0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0]);
    expect([imageFormat(bmp), imageFormat(ico)]).toEqual(['bmp', 'ico']);
    expect(PIPELINE_FORMATS.has('bmp') || PIPELINE_FORMATS.has('ico')).toBe(false);
  });

  it('knows no image in what is none, or is cut short before its size', async () => {
    const png = await picture().png().toBuffer();
    const webp = await picture().webp().toBuffer();
    const cases: Record<string, Uint8Array> = {
      empty: new Uint8Array(0),
      filler: new Uint8Array(IMAGE_SNIFF_BYTES).fill(0x5a),
      html: new TextEncoder().encode('<!DOCTYPE html><html><body>Log in to Confluence</body></html>'),
      pdf: new TextEncoder().encode('%PDF-1.7\n%âãÏÓ\n1 0 obj'),
      zip: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]),
      pngSignatureOnly: png.subarray(0, 8),
      pngWithoutSize: png.subarray(0, 20),
      webpWithoutChunk: webp.subarray(0, 12),
      heic: new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypheic'), 0, 0, 0, 0, ...new TextEncoder().encode('mif1heic')]),
      svg: new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'),
    };
    expect(Object.fromEntries(Object.entries(cases).map(([name, bytes]) => [name, imageFormat(bytes)]))).toEqual(
      Object.fromEntries(Object.keys(cases).map((name) => [name, undefined])),
    );
  });
});
