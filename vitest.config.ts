import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // Packed copies of the packages and fresh sites live under test/.tmp/: never suites of their own.
    exclude: [...configDefaults.exclude, 'test/.tmp/**'],
    // Integration suites start real HTTP servers and Astro builds. Timeouts only bound a hang: on a
    // 2-core machine shared with other work, a build or a dozen CLI runs may take several times
    // their usual minute, and no test may fail for being slow.
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
