/**
 * Jest runs the JavaScript tsc already emitted (`npm run test:unit` compiles first), so the
 * project is type-checked exactly once and no per-file transformer runs in the test workers.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/dist/__tests__"],
  testMatch: ["**/*.test.js"],
  setupFilesAfterEnv: ["<rootDir>/dist/__tests__/helpers/setup.js"],
  // Synth of a full environment takes ~1 s on a loaded 2-core machine; leave headroom.
  testTimeout: 60000,
  // Jest's default (cores - 1) is a single worker on the 2-core CI machine; two finish ~30% sooner
  // because each worker spends much of its time synthesizing (CPU) and parsing (I/O-light).
  maxWorkers: 2,
};
