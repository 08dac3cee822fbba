// Import rules, run by `npm run lint` (dependency-cruiser): product code never depends on the
// tests, and nothing in it imports in a circle. Type-only imports count (tsPreCompilationDeps):
// `import type` still ties the two files' meanings together, and a circle of types is a circle.
/** Product code: what main.ts, src/ and scripts/ are made of. */
const PRODUCT = "^(src|scripts)/|^main\\.ts$";

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-product-imports-from-tests",
      severity: "error",
      comment:
        "__tests__/ mirrors src/ and depends on it, never the other way round: move what product code needs into src/ (an example environment into src/environments/examples/, a helper's logic into src/).",
      from: { path: PRODUCT },
      to: { path: "^__tests__/" },
    },
    {
      name: "no-circular",
      severity: "error",
      comment:
        "A circle of imports has no first module to read or to load (CommonJS hands one of them a half-initialised module). Break it by moving the shared piece to the lower layer (a generic check into src/validation.ts, a shared type into the module that owns it).",
      from: { path: PRODUCT },
      to: { circular: true },
    },
    {
      name: "modules-stay-below",
      severity: "error",
      comment:
        "Modules are building blocks the stacks and the controller table compose: a module that imports a stack, the table, the app release, the environments or a CLI would tie every stack to it.",
      from: { path: "^src/modules/" },
      to: { path: "^src/(stacks|controllers|release|environments|cli|docs)/|^src/app\\.ts$" },
    },
    {
      name: "config-reads-module-types-only",
      severity: "error",
      comment:
        "src/config composes the modules' settings types (each documented, with its default, in its module) and runs no module code: a value import would make config load the modules that read it.",
      from: { path: "^src/config/" },
      to: { path: "^src/modules/", dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    // Only the project's own files: packages are not cruised, and build output never is.
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|dist-cdktn|cdktf\\.out|\\.cache|\\.gen|profiles)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    combinedDependencies: false,
  },
};
