/**
 * First setup file of every test file in the cdktn stage (cdktn/jest.config.js): the file fails
 * unless jest's module map really gives it the pinned cdktn as `cdktf`, and a provider class
 * (which requires `cdktf` and `constructs` from inside @cdktf/provider-aws) builds constructs of
 * that same single copy.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { App, TerraformElement, TerraformStack } from "../src/cdktf";
import { assertCoreLoaded } from "./cdktn-core";

assertCoreLoaded((request) => require.resolve(request));
const provider = new AwsProvider(new TerraformStack(new App(), "cdktn-check"), "aws", { region: "ap-northeast-2" });
if (!(provider instanceof TerraformElement) || !(provider instanceof Construct)) {
  throw new Error("cdktn stage: @cdktf/provider-aws built its provider from another copy of cdktf or constructs than the tests use");
}
