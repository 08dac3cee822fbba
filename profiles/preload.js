/**
 * Node preload for a cdktn profile (redirects.js):
 *   MINDHIT_CDKTN_PROFILE=cdktn-core MINDHIT_CDKTN_PREFIX=… node -r ./profiles/preload.js dist/main.js
 *   MINDHIT_CDKTN_PROFILE=cdktn node -r ./profiles/preload.js dist-cdktn/main.js
 * Redirects the profile's requests, from every requirer (the project's code and the packages, which
 * require the core themselves), into the prefix. It refuses to start unless each resolves to its pin
 * there, and fails the process at exit if any file of a replaced package was loaded from elsewhere:
 * two copies of the core break tokens and instanceof. With MINDHIT_CDKTN_REPORT=1 the process must
 * have loaded the core, and says which; the scripts set it where a process exists to prove that.
 */
"use strict";
const Module = require("module");
const { loadProfile } = require("./redirects");

// One line and exit 1, not a stack trace: the failure is a setup problem, not a bug in this file.
function stop(message) {
  console.error(message);
  process.exit(1);
}

let profile;
try {
  profile = loadProfile();
} catch (error) {
  stop(error.message);
}
const context = profile.contextJson(process.env);
if (context !== undefined) process.env.CDKTF_CONTEXT_JSON = context;

// Module._resolveFilename is Node's internal hook point for CommonJS resolution.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  return resolveFilename.call(this, profile.redirect(request) ?? request, parent, isMain, options);
};

let loaded;
try {
  loaded = profile.assertLoaded((request) => require.resolve(request));
} catch (error) {
  stop(error.message);
}

process.on("exit", () => {
  const { roots, foreign } = profile.copies(Object.keys(Module._cache));
  if (foreign.length > 0) {
    console.error(`${profile.name} profile: loaded a copy outside ${profile.prefix}: ${foreign.join(", ")}`);
    process.exitCode = 1;
  } else if (process.env.MINDHIT_CDKTN_REPORT === "1") {
    if (!roots.includes(profile.core)) {
      console.error(`${profile.name} profile: loaded no core from ${profile.core} at all`);
      process.exitCode = 1;
    } else {
      console.error(`${profile.name} profile: ${loaded}; loaded only from ${profile.prefix}`);
    }
  }
});
