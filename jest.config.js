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
};
