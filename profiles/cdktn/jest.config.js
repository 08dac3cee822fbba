/**
 * The unit suite under the full cdktn profile (scripts/cdktn-profile.sh test): the project's jest
 * config over dist-cdktn/ (tsc -p tsconfig.cdktn.json), with redirects.js's table as moduleNameMapper,
 * which jest applies to every require in the test runtime, the prefix's own packages included.
 * @type {import('jest').Config}
 */
const path = require("path");
const base = require("../../jest.config.js");
const { profilePrefix, redirects } = require("./redirects");

const moduleNameMapper = {};
for (const [pattern, replacement] of redirects(profilePrefix())) moduleNameMapper[pattern.source] = replacement;

module.exports = {
  ...base,
  rootDir: path.resolve(__dirname, "..", ".."),
  roots: ["<rootDir>/dist-cdktn/__tests__"],
  setupFilesAfterEnv: ["<rootDir>/dist-cdktn/__tests__/helpers/setup.js"],
  moduleNameMapper,
};
