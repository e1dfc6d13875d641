/** The plugin's options as the route middleware reads them (plugin.ts serves this module to Vite). */
declare module 'virtual:astro-loader-confluence/config' {
  export const sidebar: import('./sidebar.ts').SidebarOption;
}
