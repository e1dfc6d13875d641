import { describe, expect, it } from 'vitest';
import { toGfmAlert } from '../../../packages/astro-loader-confluence/src/rewrite/alerts.ts';

describe('toGfmAlert: panels as GFM alerts, for Markdown files', () => {
  it.each([
    ['> **Info:** Text.', '> [!NOTE]\n> Text.'],
    ['> **Warning:** Careful.\n> Two lines.', '> [!WARNING]\n> Careful.\n> Two lines.'],
    ['> **Error**: Broken.', '> [!CAUTION]\n> Broken.'],
    ['> **Success:**\n>\n> Done.', '> [!TIP]\n> Done.'],
  ])('%j becomes %j', (panel, alert) => {
    expect(toGfmAlert(panel, 0)).toBe(alert);
  });

  it('keeps the container indentation, and leaves a plain blockquote alone', () => {
    expect(toGfmAlert('> **Tip:** Inside.\n   > More.', 3)).toBe('> [!TIP]\n   > Inside.\n   > More.');
    expect(toGfmAlert('> Just a quote.', 0)).toBeUndefined();
  });
});
