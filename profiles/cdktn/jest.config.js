/**
 * The unit suite under the full cdktn profile (scripts/cdktn-profile.sh test): the project's jest
 * config over dist-cdktn/ (tsc -p tsconfig.cdktn.json), with redirects.js's table as moduleNameMapper,
 * which jest applies to every require in the test runtime, the prefix's own packages included.
 * The workers inherit the profile's CDKTF_CONTEXT_JSON (targetVersions, context.json), and node
 * processes the tests start (`node dist/main.js`) inherit the preload through NODE_OPTIONS.
 * @type {import('jest').Config}
 */
const path = require("path");
const base = require("../../jest.config.js");
const { profilePrefix, redirects, profileContextJson } = require("./redirects");

const moduleNameMapper = {};
for (const [pattern, replacement] of redirects(profilePrefix())) moduleNameMapper[pattern.source] = replacement;
process.env.CDKTF_CONTEXT_JSON = profileContextJson(process.env);
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} -r ${path.join(__dirname, "preload.js")}`.trim();

module.exports = {
  ...base,
  rootDir: path.resolve(__dirname, "..", ".."),
  roots: ["<rootDir>/dist-cdktn/__tests__"],
  setupFilesAfterEnv: [path.join(__dirname, "jest-check.js"), "<rootDir>/dist-cdktn/__tests__/helpers/setup.js"],
  moduleNameMapper,
};
