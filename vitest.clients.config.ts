import { defineConfig } from 'vitest/config';

// The real-client test bed (npm run test:clients): slow, heavy, run one file at a time.
export default defineConfig({
  // The thin client is CommonJS TypeScript (.cts): transform it like the rest.
  oxc: { include: /\.(m?ts|cts|[jt]sx)$/ },
  test: {
    include: ['test/clients/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    setupFiles: ['test/helpers/setup.ts'],
  },
});
