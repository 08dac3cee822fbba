/**
 * The one place this project imports the CDKTF core library.
 *
 * HashiCorp deprecated CDKTF in December 2025; the community fork (CDK Terrain, `cdktn`)
 * continues it. Keeping every core import behind this file means a move to the fork is a
 * change here plus the provider packages, not a hunt through every construct.
 */
export {
  App,
  AssetType,
  Aspects,
  CloudBackend,
  Fn,
  LocalBackend,
  NamedCloudWorkspace,
  S3Backend,
  TerraformAsset,
  TerraformElement,
  TerraformLocal,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  Testing,
  Token,
} from "cdktf";
export type { AppConfig, IAspect, ITerraformDependable, TerraformProvider } from "cdktf";
