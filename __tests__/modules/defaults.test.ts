/**
 * Each module's defaults live in one constant (`X_DEFAULTS … satisfies Defaults<XProps>`); the
 * props' `@default` tags say the same for readers. This keeps the two from drifting: every
 * constant's value must open its prop's `@default` text.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { withDefaults } from "../../src/modules/shared/defaults";

const SRC = path.join(__dirname, "..", "..", "..", "src");

interface DefaultsConstant {
  readonly file: string;
  readonly name: string;
  readonly propsInterface: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
}

/** `export const X = {…} as const satisfies Defaults<Props, …>` → X and Props. */
function defaultsConstants(): DefaultsConstant[] {
  return sourceFiles(SRC).flatMap((file) =>
    parse(file)
      .statements.filter(ts.isVariableStatement)
      .flatMap((statement) => statement.declarationList.declarations)
      .flatMap((declaration) => {
        const init = declaration.initializer;
        if (!init || !ts.isSatisfiesExpression(init) || !ts.isTypeReferenceNode(init.type)) return [];
        if (init.type.typeName.getText() !== "Defaults") return [];
        const props = init.type.typeArguments?.[0];
        return props ? [{ file, name: declaration.name.getText(), propsInterface: props.getText() }] : [];
      }),
  );
}

/** The `@default` text of each property of the interface. */
function documentedDefaults(file: string, interfaceName: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const statement of parse(file).statements) {
    if (!ts.isInterfaceDeclaration(statement) || statement.name.text !== interfaceName) continue;
    for (const member of statement.members) {
      const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === "default");
      const text = typeof tag?.comment === "string" ? tag.comment : (tag?.comment?.map((c) => c.text).join("") ?? "");
      if (member.name) found.set(member.name.getText(), text);
    }
  }
  return found;
}

/** The constant's runtime value, from the compiled module beside the test. */
function loadConstant(constant: DefaultsConstant): Record<string, unknown> {
  const compiled = path.join(__dirname, "..", "..", path.relative(path.join(SRC, ".."), constant.file)).replace(/\.ts$/, ".js");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(compiled) as Record<string, Record<string, unknown>>)[constant.name];
}

const noSpaces = (text: string): string => text.replace(/\s+/g, "");

const constants = defaultsConstants();

describe("module defaults", () => {
  it("finds the modules' defaults constants", () => {
    expect(constants.map((c) => c.name)).toEqual(
      expect.arrayContaining(["RDS_DEFAULTS", "EKS_DEFAULTS", "VPC_DEFAULTS", "ELASTICACHE_DEFAULTS", "ECR_DEFAULTS"]),
    );
  });

  it.each(constants.map((c) => [c.name, c] as const))("%s agrees with the @default of every prop it sets", (_name, constant) => {
    const documented = documentedDefaults(constant.file, constant.propsInterface);
    const value = loadConstant(constant);
    const disagreements = Object.entries(value)
      .filter(([, v]) => typeof v !== "function")
      .filter(([key, v]) => !noSpaces(documented.get(key) ?? "").startsWith(noSpaces(JSON.stringify(v))))
      .map(([key, v]) => `${key}: constant ${JSON.stringify(v)}, @default ${JSON.stringify(documented.get(key) ?? "(none)")}`);
    expect(disagreements).toEqual([]);
  });
});

describe("withDefaults", () => {
  it("fills what is left out or undefined, and keeps what is given (false and 0 included)", () => {
    const defaults = { a: 1, b: true, c: "x" } as const;
    const props: { a?: number; b?: boolean; c?: string; d: string } = { a: 0, b: undefined, d: "kept" };
    expect(withDefaults(props, defaults)).toEqual({ a: 0, b: true, c: "x", d: "kept" });
  });
});
