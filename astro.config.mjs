// @ts-check
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import starlightLinksValidator from 'starlight-links-validator';
import { starlightConfluence } from 'astro-loader-confluence/starlight';
import { isConfluenceConfigured } from 'astro-loader-confluence/env';

/**
 * With no CONFLUENCE_* variables the site publishes the bundled demo space: the stand-in server
 * starts here, on a free loopback port, and the real loader reaches it over HTTP.
 */
/** @type {import('confluence-stand-in').StandIn | undefined} */
let demo;
if (!isConfluenceConfigured(process.env)) {
  const { start, loaderEnv, demoSpace } = await import('confluence-stand-in');
  // The stand-in plays the demo space's own site (its pages link to it), so the sync state, keyed
  // on what the content is and not on the port, carries over: a rebuild exports nothing.
  const space = demoSpace();
  demo = await start({ port: 0, space, linkSite: space.site });
  Object.assign(process.env, {
    ...loaderEnv(demo),
    CONFLUENCE_SITE: space.site,
    CONFLUENCE_EXCLUDE_LABELS: 'internal',
    CONFLUENCE_EDIT_LINKS: 'false',
    // A frozen release of the demo docs, served under /v0.9/ beside the live ones.
    CONFLUENCE_VERSIONS_DIR: 'site/versions',
  });
  console.log(
    `[confluence] Building the bundled demo space (stand-in at ${demo.url}). ` +
      'To publish your own space, set CONFLUENCE_SPACE_KEY (or CONFLUENCE_ROOT_PAGE_ID), CONFLUENCE_SITE and CONFLUENCE_ACCESS_TOKEN (or the OAuth variables).',
  );
}

export default defineConfig({
  srcDir: './site',
  // Tests and benchmarks build several sites side by side; each gets its own output and cache.
  outDir: process.env.ASTRO_OUT_DIR || './dist',
  cacheDir: process.env.ASTRO_CACHE_DIR || './node_modules/.astro',
  site: process.env.SITE_URL,
  base: process.env.BASE_PATH,
  integrations: [
    starlight({
      title: 'Confluence to Starlight',
      description: 'Publish a Confluence space as a Starlight documentation site.',
      // Starlight's link checker passes on the demo. Builds of other spaces leave it out: it clears
      // Astro's data store at every build start, failed builds included, and it calls links to a
      // stand-in on 127.0.0.1 "local links".
      plugins: [starlightConfluence(), ...(demo ? [starlightLinksValidator()] : [])],
    }),
    {
      name: 'demo-stand-in',
      hooks: {
        // The stand-in only serves the sync; let the process end once the build is written.
        'astro:build:done': async () => {
          await demo?.stop();
        },
      },
    },
  ],
});
