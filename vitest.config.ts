import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The thin client is CommonJS TypeScript (.cts): transform it like the rest.
  oxc: { include: /\.(m?ts|cts|[jt]sx)$/ },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/clients/**', 'node_modules/**', 'dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // tmux and ssh never see the developer's environment: see test/helpers/env.ts
    setupFiles: ['test/helpers/setup.ts'],
  },
});
