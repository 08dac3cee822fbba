/**
 * The unit suite on CDK Terrain's core (scripts/verify-cdktn.sh): the project's jest config with
 * `cdktf` and `constructs` mapped to the prefix in MINDHIT_CDKTN_PREFIX. jest's moduleNameMapper
 * applies to every require in the test runtime, the @cdktf/provider-* packages' included, so one
 * copy of each loads; dist/scripts/cdktn-jest-check.js proves it in every test file.
 * @type {import('jest').Config}
 */
const path = require("path");
const base = require("../jest.config.js");
const { cdktnPrefix } = require("../dist/scripts/cdktn-core.js");

const modules = path.join(cdktnPrefix(), "node_modules");

module.exports = {
  ...base,
  rootDir: path.resolve(__dirname, ".."),
  moduleNameMapper: {
    "^(cdktf|constructs)$": path.join(modules, "$1"),
    "^(cdktf|constructs)/(.*)$": path.join(modules, "$1", "$2"),
  },
  setupFilesAfterEnv: ["<rootDir>/dist/scripts/cdktn-jest-check.js", ...base.setupFilesAfterEnv],
};
