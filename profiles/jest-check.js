/**
 * First setup file of every test file under a cdktn profile (jest.config.js): the file fails unless
 * jest's module map gives it each replaced package as its pin from the prefix (redirects.js), through
 * the same requests the source makes, and a provider class, which requires the core and constructs
 * from inside @cdktf/provider-aws, builds constructs of the tests' own single copy.
 */
"use strict";
const path = require("path");
const { loadProfile } = require("./redirects");

const profile = loadProfile();
profile.assertLoaded((request) => require.resolve(request));
const { AwsProvider } = require("@cdktf/provider-aws/lib/provider");
const { Construct } = require("constructs");
// The tests' core: the compiled tree's src/cdktf.js, the one place the source imports it from.
const { App, TerraformElement, TerraformStack } = require(path.join(profile.tree, "src", "cdktf.js"));

const provider = new AwsProvider(new TerraformStack(new App(), "cdktn-check"), "aws", { region: "ap-northeast-2" });
if (!(provider instanceof TerraformElement) || !(provider instanceof Construct)) {
  throw new Error(`${profile.name} profile: @cdktf/provider-aws built its provider from another copy of cdktf or constructs than the tests use`);
}
