import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // sshd and netns tests start real processes; keep them from fighting for the two cores.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
