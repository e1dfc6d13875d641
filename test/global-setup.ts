/**
 * Builds the bundled demo site once per test run, through the real stand-in, loader and Astro, so
 * every suite that inspects a built site (safety greps, link checks, browser tests) reads the same
 * `dist/` instead of paying for its own build.
 */
import type { TestProject } from 'vitest/node';
import { buildSite } from './helpers/site-build.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    demoDist: string;
    demoBuildOutput: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const build = await buildSite('demo');
  if (build.code !== 0) throw new Error(`The demo site failed to build:\n${build.output}`);
  project.provide('demoDist', build.outDir);
  project.provide('demoBuildOutput', build.output);
}
