import { grantSecretsRead } from "../../../src/modules/shared/secret-read";

describe("grantSecretsRead", () => {
  it("reads the secrets and decrypts with their keys through Secrets Manager in the region only", () => {
    const statements = grantSecretsRead(
      [
        { secretArn: "arn:aws:secretsmanager:ap-northeast-2:111111111111:secret:app", kmsKeyArn: "arn:aws:kms:ap-northeast-2:111111111111:key/a" },
        { secretArn: "arn:aws:secretsmanager:ap-northeast-2:111111111111:secret:db", kmsKeyArn: "arn:aws:kms:ap-northeast-2:111111111111:key/b" },
      ],
      { region: "ap-northeast-2", dnsSuffix: "amazonaws.com" },
      { read: "Read", decrypt: "Decrypt" },
    );
    expect(statements).toEqual([
      {
        sid: "Read",
        effect: "Allow",
        actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        resources: ["arn:aws:secretsmanager:ap-northeast-2:111111111111:secret:app", "arn:aws:secretsmanager:ap-northeast-2:111111111111:secret:db"],
      },
      {
        sid: "Decrypt",
        effect: "Allow",
        actions: ["kms:Decrypt"],
        resources: ["arn:aws:kms:ap-northeast-2:111111111111:key/a", "arn:aws:kms:ap-northeast-2:111111111111:key/b"],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: ["secretsmanager.ap-northeast-2.amazonaws.com"] }],
      },
    ]);
  });
});
