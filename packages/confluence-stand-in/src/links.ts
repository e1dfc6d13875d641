/**
 * Which host absolute links in exported Markdown name. Page bodies are written against the
 * space's site (`https://demo.atlassian.net/wiki/...`); the loader recognises links to "its"
 * site by the CONFLUENCE_SITE it was given, which for the stand-in is `127.0.0.1:PORT`. So by
 * default exports name the stand-in's own origin, and a test can pin any other origin.
 */
import type { Page, Space } from './space.ts';

export function archiveBody(space: Space, page: Page, linkOrigin: string): string {
  const from = `https://${space.site}`;
  if (!linkOrigin || linkOrigin === from) return page.body;
  return page.body.split(from).join(linkOrigin);
}

/** `https://host` for real sites, `http://` for loopback addresses (no TLS there). */
export function originFor(site: string): string {
  if (/^https?:\/\//.test(site)) return site.replace(/\/+$/, '');
  return /^(127\.|localhost|\[::1\])/.test(site) ? `http://${site}` : `https://${site}`;
}
