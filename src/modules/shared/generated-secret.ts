import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Construct } from "constructs";
import { Fn, TerraformLocal } from "../../cdktf";
import { EphemeralSecretsmanagerRandomPassword } from "../../bindings/ephemeral-secretsmanager-random-password";
import { AwsAccount } from "./aws-account";
import { Defaults, withDefaults } from "./defaults";
import { EncryptionKey } from "./encryption-key";
import { onlyPrincipalsMay } from "./policy-statements";

export interface GeneratedLoginSecretProps {
  /** Secrets Manager name; also the key's alias with `/` as `-`. */
  readonly name: string;
  readonly description: string;
  readonly account: AwsAccount;
  /** The only principals that may read the value (resource-policy and key-policy denies for everyone else). */
  readonly readerArns: readonly string[];
  /**
   * Who applies the stack: writing a value encrypted with a customer key takes kms:Decrypt too, so
   * the key lets them decrypt; the secret's policy still keeps GetSecretValue from them.
   */
  readonly writerArns: readonly string[];
  /** JSON property and value of the login's user name. */
  readonly user: { readonly key: string; readonly value: string };
  /** JSON property of the generated password. */
  readonly passwordKey: string;
  /**
   * Bump to generate a new password on the next apply (the write-only value is never compared,
   * so only this number tells Terraform to write again). @default 1
   */
  readonly passwordVersion?: number;
}

export const GENERATED_LOGIN_SECRET_DEFAULTS = { passwordVersion: 1 } as const satisfies Defaults<GeneratedLoginSecretProps>;

/**
 * A login (`{"<user key>": "<user>", "<password key>": "<generated>"}`) in Secrets Manager whose
 * password AWS generates at apply time (GetRandomPassword, an ephemeral resource) and Terraform
 * writes through the write-only `secret_string_wo`: the password is in neither the plan, the state
 * nor `cdktf.out/`. Encrypted with a key of its own; readable only by the named readers.
 */
export class GeneratedLoginSecret extends Construct {
  readonly secretArn: string;
  readonly secretName: string;
  readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: GeneratedLoginSecretProps) {
    super(scope, id);
    const { passwordVersion } = withDefaults(props, GENERATED_LOGIN_SECRET_DEFAULTS);
    const key = new EncryptionKey(this, "key", {
      alias: props.name.replace(/\//g, "-"),
      description: `Encrypts the secret ${props.name}`,
      account: props.account,
      decryptOnlyBy: [...props.readerArns, ...props.writerArns],
    });
    const secret = new SecretsmanagerSecret(this, "secret", {
      name: props.name,
      description: props.description,
      kmsKeyId: key.keyArn,
      recoveryWindowInDays: 30,
    });
    const readers = new DataAwsIamPolicyDocument(this, "readers", {
      statement: [onlyPrincipalsMay("ReadOnlyByTheNamedReaders", ["secretsmanager:GetSecretValue"], props.readerArns, ["*"])],
    });
    new SecretsmanagerSecretPolicy(this, "policy", { secretArn: secret.arn, policy: readers.json, blockPublicPolicy: true });
    // 32 letters and digits (about 190 bits): nothing for a shell, an env file or a URL to mangle.
    const password = new EphemeralSecretsmanagerRandomPassword(this, "password", { passwordLength: 32, excludePunctuation: true });
    const login = new TerraformLocal(this, "login", { [props.user.key]: props.user.value, [props.passwordKey]: password.randomPassword });
    new SecretsmanagerSecretVersion(this, "value", {
      secretId: secret.id,
      // Through a local: an object literal here would reach the HCL rendering as text, and the
      // ephemeral reference inside an Fn call as an escaped literal (cdktf does not know it as a token).
      secretStringWo: Fn.jsonencode(login.expression),
      secretStringWoVersion: passwordVersion,
    });
    this.secretArn = secret.arn;
    this.secretName = secret.name;
    this.kmsKeyArn = key.keyArn;
  }
}
