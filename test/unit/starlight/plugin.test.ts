/**
 * The plugin's `sidebar` option: a wrong value is refused with what to write instead, and the
 * value given reaches the route middleware through the Vite module it imports, with Astro's
 * `cacheDir` (where page HTML kept out of the data store is read from).
 */
import { describe, expect, it } from 'vitest';
import type { AstroIntegration } from 'astro';
import { starlightConfluence } from '../../../packages/astro-loader-confluence/src/starlight/plugin.ts';

interface VitePlugin {
  name: string;
  resolveId(id: string): string | undefined;
  load(id: string): string | undefined;
}

/** Runs the plugin's setup with stand-ins for Starlight and Astro; returns the Vite plugins and the Starlight config it set. */
function setUp(options: Parameters<typeof starlightConfluence>[0]) {
  const integrations: AstroIntegration[] = [];
  const updates: Record<string, unknown>[] = [];
  const hook = starlightConfluence(options).hooks['config:setup'] as (context: unknown) => void;
  hook({
    addRouteMiddleware: () => {},
    addIntegration: (integration: AstroIntegration) => integrations.push(integration),
    updateConfig: (update: Record<string, unknown>) => updates.push(update),
    config: { components: {}, customCss: ['./site/styles/custom.css'] },
    logger: { warn: () => {} },
  });
  const vitePlugins: VitePlugin[] = [];
  for (const integration of integrations) {
    const setup = integration.hooks['astro:config:setup'] as ((context: unknown) => void) | undefined;
    setup?.({
      config: { cacheDir: new URL('file:///tmp/cache/'), base: '/' },
      updateConfig: (update: { vite?: { plugins?: VitePlugin[] } }) => vitePlugins.push(...(update.vite?.plugins ?? [])),
    });
  }
  return { vitePlugins, starlightConfig: Object.assign({}, ...updates) as { customCss: string[] } };
}

/** What the middleware's `import { sidebar } from 'virtual:astro-loader-confluence/config'` gets. */
function configModule(vitePlugins: VitePlugin[]): string | undefined {
  // The plugin adds other Vite plugins too (search); only its config module is asked here.
  const plugin = vitePlugins.find((p) => p.name === 'astro-loader-confluence/config');
  const id = plugin?.resolveId('virtual:astro-loader-confluence/config');
  return id ? plugin!.load(id) : undefined;
}

describe('starlightConfluence({ sidebar })', () => {
  it('hands the route middleware the default, 200 pages, or the value given', () => {
    const cacheDir = 'export const cacheDir = "/tmp/cache/";';
    expect(configModule(setUp(undefined).vitePlugins)).toBe(`export const sidebar = 200;\n${cacheDir}`);
    expect(configModule(setUp({ sidebar: 'branch' }).vitePlugins)).toBe(`export const sidebar = "branch";\n${cacheDir}`);
    expect(configModule(setUp({ sidebar: 1000 }).vitePlugins)).toBe(`export const sidebar = 1000;\n${cacheDir}`);
  });

  it("adds the branch links' stylesheet after the site's own", () => {
    expect(setUp({}).starlightConfig.customCss).toEqual(['./site/styles/custom.css', 'astro-loader-confluence/components/sidebar.css', 'astro-loader-confluence/components/placeholders.css']);
  });

  it('refuses anything else, saying what it accepts', () => {
    for (const sidebar of ['tree', -1, 2.5, '200']) {
      expect(() => starlightConfluence({ sidebar: sidebar as never }), String(sidebar)).toThrow(/starlightConfluence\(\{ sidebar \}\) got/);
    }
    const refused = (() => {
      try {
        starlightConfluence({ sidebar: 'tree' as never });
        return undefined;
      } catch (error) {
        return error as { hint?: string };
      }
    })();
    expect(refused?.hint).toMatch(/'full'.*'branch'.*whole number/);
  });
});
