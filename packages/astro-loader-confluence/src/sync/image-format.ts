/**
 * What an attachment's first bytes say it is. A file named `.png` whose bytes are no image (a
 * filler, an error page saved under the image's name, a truncated upload) makes Astro's image
 * pipeline fail the whole build (`NoImageMetadata`), so only a file whose bytes are an image Astro
 * reads goes through that pipeline. Astro's own reader (a vendored image-size) is not part of its
 * public API, hence these few signatures. Pure: the caller reads the bytes.
 */

/** Raster formats, by their signatures. */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'avif' | 'tiff' | 'bmp' | 'ico';

/** How many leading bytes {@link imageFormat} needs to decide. */
export const IMAGE_SNIFF_BYTES = 64;

/** Formats Astro's image pipeline reads (its `VALID_INPUT_FORMATS`, less SVG); a browser shows the others as they are. */
export const PIPELINE_FORMATS: ReadonlySet<ImageFormat> = new Set(['png', 'jpeg', 'gif', 'webp', 'avif', 'tiff']);

const ascii = (bytes: Uint8Array, at: number, text: string): boolean =>
  bytes.length >= at + text.length && [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));
const starts = (bytes: Uint8Array, signature: readonly number[]): boolean => bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);
const u32be = (bytes: Uint8Array, at: number): number => ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;

/**
 * The image format of a file from its first bytes, or undefined when they are no image of a known
 * format. A PNG must carry its header chunk with a size (a PNG cut short after the signature
 * cannot be read), a WebP its first image chunk, an AVIF its `ftyp` brand.
 */
export function imageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (starts(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    // Apple's "CgBI" PNGs put their own chunk before the header.
    const header = ascii(bytes, 12, 'CgBI') ? 28 : 12;
    return ascii(bytes, header, 'IHDR') && bytes.length >= header + 12 && u32be(bytes, header + 4) > 0 && u32be(bytes, header + 8) > 0 ? 'png' : undefined;
  }
  if (starts(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if ((ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) && bytes.length >= 10) return 'gif';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return ['VP8 ', 'VP8L', 'VP8X'].some((chunk) => ascii(bytes, 12, chunk)) ? 'webp' : undefined;
  if (ascii(bytes, 4, 'ftyp')) {
    const size = Math.min(u32be(bytes, 0), bytes.length);
    for (let at = 8; at + 4 <= size; at += at === 8 ? 8 : 4) if (ascii(bytes, at, 'avif') || ascii(bytes, at, 'avis')) return 'avif';
    return undefined;
  }
  if (starts(bytes, [0x49, 0x49, 0x2a, 0x00]) || starts(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (ascii(bytes, 0, 'BM') && bytes.length >= 26) return 'bmp';
  if (starts(bytes, [0x00, 0x00, 0x01, 0x00]) && bytes.length >= 6 && (bytes[4]! | (bytes[5]! << 8)) > 0) return 'ico';
  return undefined;
}
