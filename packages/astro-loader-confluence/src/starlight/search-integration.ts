/**
 * Search that puts the version being viewed first. Pagefind ranks every version's copy of a page
 * alike, so on a site with frozen versions their results could come before the live docs'. Each
 * page carries a `version` filter (PageTitle.astro); this integration hands Starlight's search a
 * Pagefind UI that opens with the filter set to the version of the page it is on. Readers widen
 * the search to other versions in Pagefind's filter panel. Nothing changes on a single-version site.
 *
 * Starlight builds its Pagefind UI from `@pagefind/default-ui`; the import is resolved, for
 * Starlight's search component only, to a subclass that sets the filter after construction.
 */
import type { AstroIntegration } from 'astro';

const VIRTUAL_ID = '\0astro-loader-confluence:search-ui';

/** Runs in the browser: Pagefind's UI, filtered on construction to the page's version. */
const SUBCLASS = `
export class PagefindUI extends Base {
  constructor(options) {
    super(options);
    const viewed = document.querySelector('[data-confluence-search-version]')?.getAttribute('data-confluence-search-version');
    if (viewed) this.triggerFilters({ version: viewed });
  }
}`;

export function searchIntegration(): AstroIntegration {
  let original: string | undefined;
  return {
    name: 'astro-loader-confluence/search',
    hooks: {
      'astro:config:setup': ({ updateConfig }) => {
        updateConfig({
          vite: {
            plugins: [
              {
                name: 'astro-loader-confluence:search-ui',
                enforce: 'pre',
                async resolveId(id, importer) {
                  if (id !== '@pagefind/default-ui' || !importer?.includes('@astrojs/starlight')) return null;
                  const resolved = await this.resolve(id, importer, { skipSelf: true });
                  if (!resolved) return null;
                  original = resolved.id;
                  return VIRTUAL_ID;
                },
                load(id) {
                  if (id !== VIRTUAL_ID || !original) return null;
                  return `import { PagefindUI as Base } from ${JSON.stringify(original)};\n${SUBCLASS}`;
                },
              },
            ],
          },
        });
      },
    },
  };
}
