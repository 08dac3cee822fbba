/**
 * The unit suite under a cdktn profile (redirects.js; MINDHIT_CDKTN_PROFILE and MINDHIT_CDKTN_PREFIX
 * set by scripts/verify-cdktn.sh or scripts/cdktn-profile.sh): the project's jest config over the
 * profile's compiled tree (dist/ or dist-cdktn/), with the profile's redirects as moduleNameMapper,
 * which jest applies to every require in the test runtime, the packages' own included, so one copy of
 * each loads; jest-check.js proves it in every test file. The workers inherit the profile's
 * CDKTF_CONTEXT_JSON, and node processes the tests start (`node dist/main.js`) the preload, through
 * NODE_OPTIONS, so they run on the profile too.
 * @type {import('jest').Config}
 */
const path = require("path");
const base = require("../jest.config.js");
const { loadProfile } = require("./redirects");

const profile = loadProfile();
const tree = path.relative(path.join(__dirname, ".."), profile.tree);
const moduleNameMapper = {};
for (const [pattern, replacement] of profile.table) moduleNameMapper[pattern.source] = replacement;
const context = profile.contextJson(process.env);
if (context !== undefined) process.env.CDKTF_CONTEXT_JSON = context;
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} -r ${path.join(__dirname, "preload.js")}`.trim();

module.exports = {
  ...base,
  rootDir: path.resolve(__dirname, ".."),
  roots: [`<rootDir>/${tree}/__tests__`],
  setupFilesAfterEnv: [path.join(__dirname, "jest-check.js"), `<rootDir>/${tree}/__tests__/helpers/setup.js`],
  moduleNameMapper,
};
