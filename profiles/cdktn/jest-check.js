/**
 * Runs before every test file under the cdktn profile (jest.config.js): fails the file unless the
 * core, constructs and each provider binding the source imports resolve into the profile's prefix,
 * through the same requests the source makes.
 */
"use strict";
const path = require("path");
const { profilePrefix } = require("./redirects");

const prefix = profilePrefix() + path.sep;
const expected = {
  "cdktf/package.json": "cdktn",
  "constructs/package.json": "constructs",
  "@cdktf/provider-aws/package.json": "@cdktn/provider-aws",
};
for (const [request, name] of Object.entries(expected)) {
  const file = require.resolve(request);
  const found = require(request).name;
  if (!file.startsWith(prefix) || found !== name) throw new Error(`cdktn profile: ${request} is ${found} at ${file}, not ${name} under ${prefix}`);
}
for (const request of ["@cdktf/provider-helm/lib/release", "@cdktf/provider-kubernetes/lib/namespace-v1"]) {
  const file = require.resolve(request);
  if (!file.startsWith(path.join(prefix, "bindings") + path.sep)) throw new Error(`cdktn profile: ${request} resolved to ${file}, not the generated bindings`);
}
