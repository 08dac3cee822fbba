/**
 * Node preload for the full cdktn profile: `node -r ./profiles/cdktn/preload.js dist-cdktn/main.js`.
 * Redirects the requests in redirects.js, from every requirer, to the profile's prefix, and fails
 * the process at exit if any file of a replaced package (cdktf, constructs, the @cdktf providers)
 * was loaded from elsewhere: two copies of the core break tokens and instanceof.
 */
"use strict";
const Module = require("module");
const { profilePrefix, redirects, redirect, foreignCopies, profileContextJson } = require("./redirects");

process.env.CDKTF_CONTEXT_JSON = profileContextJson(process.env);

const prefix = profilePrefix();
const table = redirects(prefix);
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  const target = redirect(table, request);
  return resolveFilename.call(this, target ?? request, parent, isMain, options);
};

process.on("exit", () => {
  const foreign = foreignCopies(Object.keys(Module._cache), prefix);
  if (foreign.length > 0) {
    console.error(`cdktn profile: loaded from outside ${prefix}: ${foreign.join(", ")}`);
    process.exitCode = 1;
  } else if (process.env.MINDHIT_CDKTN_FULL_REPORT === "1") {
    const core = require(require.resolve("cdktf/package.json"));
    console.error(`cdktn profile: cdktf = ${core.name}@${core.version}; every replaced package loaded from ${prefix}`);
  }
});
