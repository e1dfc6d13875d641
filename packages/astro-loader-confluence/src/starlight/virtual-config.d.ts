/** The plugin's options as the route middleware reads them (plugin.ts serves this module to Vite). */
declare module 'virtual:astro-loader-confluence/config' {
  export const sidebar: import('./sidebar.ts').SidebarOption;
  /** Astro's `cacheDir`, as a path: where the loader keeps page HTML outside the data store. */
  export const cacheDir: string;
}

/** The page-HTML component the route middleware sets as a page's content (Vite compiles it; tsc only needs its type). */
declare module '*/PageHtml.astro' {
  const PageHtml: NonNullable<import('@astrojs/starlight/route-data').StarlightRouteData['Content']>;
  export default PageHtml;
}
