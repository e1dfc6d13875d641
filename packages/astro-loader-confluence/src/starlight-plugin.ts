/**
 * The Starlight side of the loader, one line in `starlight({ plugins: [starlightConfluence()] })`:
 * the Confluence page tree as the sidebar, and attachments served at stable URLs.
 */
import type { StarlightPlugin } from '@astrojs/starlight/types';
import { attachmentsIntegration } from './attachments-integration.ts';

export function starlightConfluence(): StarlightPlugin {
  return {
    name: 'astro-loader-confluence',
    hooks: {
      'config:setup'({ addRouteMiddleware, addIntegration, updateConfig, config }) {
        addRouteMiddleware({ entrypoint: 'astro-loader-confluence/sidebar-middleware', order: 'post' });
        addIntegration(attachmentsIntegration());
        // The middleware replaces the sidebar; an empty config spares Starlight building its own.
        if (!config.sidebar) updateConfig({ sidebar: [] });
      },
    },
  };
}
