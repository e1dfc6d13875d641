// Stage starlight: the collection's entries in → the Confluence sidebar, attachment routes and version switcher out.
/**
 * The Starlight side of the loader, one line in `starlight({ plugins: [starlightConfluence()] })`:
 * the Confluence page tree as the sidebar, attachments served at stable URLs, the look of the notes
 * that stand in for missing files and unconverted macros, and for sites with
 * frozen versions (versions.ts) a version switcher, a notice on old pages and version-labelled
 * search results.
 */
import type { StarlightPlugin } from '@astrojs/starlight/types';
import { fileURLToPath } from 'node:url';
import { AstroError } from 'astro/errors';
import { attachmentsIntegration } from './attachments-integration.ts';
import { searchIntegration } from './search-integration.ts';
import { FULL_SIDEBAR_MAX_PAGES, type SidebarOption } from './sidebar.ts';

export { confluenceDocsSchema } from './docs-schema.ts';

export interface StarlightConfluenceOptions {
  /**
   * How much of the page tree each page's sidebar holds. `'full'`: the whole tree, on every page
   * (each page's HTML grows with the space). `'branch'`: the top level, the current page's
   * ancestors with their siblings, and its children; other groups are links to their page. A
   * number: the whole tree for a version of at most that many pages, the branch above.
   * @default 200
   */
  sidebar?: SidebarOption;
}

/** Where the route middleware finds the options (a Vite virtual module, see virtual-config.d.ts). */
const CONFIG_MODULE = 'virtual:astro-loader-confluence/config';

/**
 * Components the plugin wraps. Each renders Starlight's own component plus its addition, and adds
 * nothing on a site without versions.
 */
const OVERRIDES = {
  ThemeSelect: 'astro-loader-confluence/components/ThemeSelect.astro',
  PageTitle: 'astro-loader-confluence/components/PageTitle.astro',
  Banner: 'astro-loader-confluence/components/Banner.astro',
} as const;

/** The look of the branch sidebar's links to collapsed groups. */
const SIDEBAR_CSS = 'astro-loader-confluence/components/sidebar.css';
/** The look of the notes shown for files the site does not have and macros the exporter could not convert. */
const PLACEHOLDERS_CSS = 'astro-loader-confluence/components/placeholders.css';

/** UI strings, overridable like Starlight's own through the site's translation files. */
const TRANSLATIONS = {
  en: {
    'confluence.versions.select': 'Select the version of the docs',
    'confluence.versions.latest': 'Latest',
    'confluence.versions.frozen': 'You are reading {{label}}, an earlier version of these docs.',
    'confluence.versions.toLatest': 'Go to the latest version.',
  },
};

export function starlightConfluence(options: StarlightConfluenceOptions = {}): StarlightPlugin {
  const sidebar = options.sidebar ?? FULL_SIDEBAR_MAX_PAGES;
  if (!(sidebar === 'full' || sidebar === 'branch' || (typeof sidebar === 'number' && Number.isInteger(sidebar) && sidebar >= 0))) {
    throw new AstroError(
      `starlightConfluence({ sidebar }) got ${JSON.stringify(sidebar)}.`,
      `Use 'full' (the whole page tree on every page), 'branch' (the current branch) or a whole number of pages up to which the whole tree is shown (default ${FULL_SIDEBAR_MAX_PAGES}).`,
    );
  }
  return {
    name: 'astro-loader-confluence',
    hooks: {
      'i18n:setup'({ injectTranslations }) {
        injectTranslations(TRANSLATIONS);
      },
      'config:setup'({ addRouteMiddleware, addIntegration, updateConfig, config, logger }) {
        addRouteMiddleware({ entrypoint: 'astro-loader-confluence/sidebar-middleware', order: 'post' });
        addIntegration(attachmentsIntegration());
        addIntegration(searchIntegration());
        addIntegration({
          name: 'astro-loader-confluence/config',
          hooks: {
            'astro:config:setup': ({ config: astroConfig, updateConfig: updateAstroConfig }) => {
              const resolved = `\0${CONFIG_MODULE}`;
              // Where the loader keeps page HTML it did not put in the data store (sync/html-files.ts).
              const module = `export const sidebar = ${JSON.stringify(sidebar)};\nexport const cacheDir = ${JSON.stringify(fileURLToPath(astroConfig.cacheDir))};`;
              updateAstroConfig({
                vite: {
                  plugins: [{
                    name: 'astro-loader-confluence/config',
                    resolveId: (id: string) => (id === CONFIG_MODULE ? resolved : undefined),
                    load: (id: string) => (id === resolved ? module : undefined),
                  }],
                },
              });
            },
          },
        });
        const components: Record<string, string> = { ...config.components };
        for (const [name, entrypoint] of Object.entries(OVERRIDES)) {
          if (components[name]) {
            // The site's own override wins; say what it loses and how to get it back.
            logger.warn(`Your Starlight config overrides ${name}, so the version ${name === 'ThemeSelect' ? 'switcher' : name === 'Banner' ? 'notice' : 'search label'} is not added there. Render <${name} /> from '${entrypoint}' inside your override to keep it.`);
          } else {
            components[name] = entrypoint;
          }
        }
        // The middleware replaces the sidebar; an empty config spares Starlight building its own.
        updateConfig({ components, customCss: [...(config.customCss ?? []), SIDEBAR_CSS, PLACEHOLDERS_CSS], ...(config.sidebar ? {} : { sidebar: [] }) });
      },
    },
  };
}
