import { defineConfig } from 'vitest/config';

// Unit tests run in parallel; integration and e2e tests start real processes, files and browsers
// and use generous timeouts (the CI machine has 2 shared cores). Performance is never asserted here:
// see `npm run bench`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // CLI processes started by tests keep their logs in their run folders, not in ~/TileCompile/logs
    env: { TILE_COMPILE_LOG_DIR: 'off' },
    maxWorkers: 2,
    reporters: ['default'],
  },
});
