import { defineCollection } from 'astro:content';
import { i18nSchema } from '@astrojs/starlight/schema';
import { i18nLoader } from '@astrojs/starlight/loaders';
import { confluenceLoader } from 'astro-loader-confluence';
import { confluenceDocsSchema } from 'astro-loader-confluence/starlight';
import { confluenceOptionsFromEnv } from 'astro-loader-confluence/env';
import { ConfigError } from 'astro-loader-confluence';

const options = confluenceOptionsFromEnv(process.env);
if (!options) {
  throw new ConfigError('No Confluence space is configured.', {
    hint: 'Set CONFLUENCE_SPACE_KEY (or CONFLUENCE_ROOT_PAGE_ID), or unset every CONFLUENCE_* variable to build the bundled demo.',
  });
}

export const collections = {
  docs: defineCollection({
    loader: confluenceLoader(options),
    // Starlight's docsSchema({ extend: confluenceSchema }), built once rather than once per page.
    schema: confluenceDocsSchema(),
  }),
  // Interface strings, the plugin's included (site/content/i18n/en.json shows how to change one).
  i18n: defineCollection({ loader: i18nLoader(), schema: i18nSchema() }),
};
