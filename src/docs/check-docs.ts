/**
 * Checks the operator documentation against what the code builds, so a command copied from a
 * runbook at 3 a.m. is one the tools accept and a name in it is one that exists.
 *
 * Markdown is parsed with markdown-it (CommonMark): fenced `bash`/`sh`/`shell`/`console` blocks
 * give commands (continuations joined, heredoc bodies and comments skipped, `&&`/`;`/`|` split),
 * inline code gives names, links give paths. Each is checked against a `DocsFacts` snapshot
 * (stacks and their dependencies, outputs, state keys, every name in the synthesized JSON and the
 * rendered chart, namespaces, Helm releases, npm scripts, scripts' `--help`).
 */
import * as fs from "fs";
import * as path from "path";
import MarkdownIt from "markdown-it";

/** What the documentation may refer to, gathered from the synthesized stacks and the repository. */
export interface DocsFacts {
  /** Stack name → names of the stacks it depends on. */
  readonly stacks: ReadonlyMap<string, readonly string[]>;
  readonly outputs: ReadonlySet<string>;
  /** Keys in the state bucket (`production/terraform.tfstate`, …). */
  readonly stateKeys: ReadonlySet<string>;
  /** Every account's state bucket. */
  readonly stateBuckets: ReadonlySet<string>;
  /**
   * Every project-prefixed name (`mindhit…`) in synth output, rendered manifests, scripts and
   * workflows; a Terraform reference inside a name (an account id) reads `TFREF`.
   */
  readonly names: ReadonlySet<string>;
  /** Buckets (as names, references reading `TFREF`): a documented `bucket/path` is a path in one. */
  readonly buckets: ReadonlySet<string>;
  /** The project's DNS domain and every environment's host (`mindhit.io`, `api.mindhit.io` …). */
  readonly hosts: ReadonlySet<string>;
  readonly namespaces: ReadonlySet<string>;
  readonly releases: ReadonlySet<string>;
  readonly npmScripts: ReadonlySet<string>;
  /** Project prefix of names (`mindhit`). */
  readonly project: string;
  /** Flags a script's `--help` lists; undefined when it has none. */
  readonly scriptFlags: (script: string) => ReadonlySet<string> | undefined;
  readonly repoRoot: string;
}

export interface DocProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface DocsReport {
  readonly problems: DocProblem[];
  readonly files: number;
  readonly commands: number;
  /** Names, outputs, state keys, namespaces, releases, flags and links checked. */
  readonly references: number;
}

/** Top-level directories of the repository: a word starting with one is a path, not a resource name. */
const REPOSITORY_DIRECTORIES = ["helm", "src", "docs", "scripts", "__tests__", ".github", "checkov", "cdktf.out"];
const SHELL_LANGUAGES = new Set(["bash", "sh", "shell", "console", "zsh"]);
/** `cdktf` subcommands whose positional arguments are stack names. */
const STACK_COMMANDS = new Set(["deploy", "destroy", "diff", "output", "synth", "watch"]);

/** A command as a list of words, with where it was found. */
interface Command {
  readonly words: string[];
  readonly text: string;
  readonly line: number;
}

/**
 * Splits shell text into commands of words: quotes and backslashes respected, `$(…)` kept as
 * one word, `#` comments dropped, heredoc bodies skipped, `\\` continuations joined.
 */
export function shellCommands(source: string, firstLine: number, consolePrompts = false): Command[] {
  const commands: Command[] = [];
  const lines = source.split("\n");
  let heredocEnd: string | undefined;
  let pending = "";
  let pendingLine = firstLine;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (heredocEnd !== undefined) {
      if (line.trim() === heredocEnd) heredocEnd = undefined;
      continue;
    }
    if (consolePrompts && pending === "") {
      if (!line.startsWith("$ ")) continue;
      line = line.slice(2);
    }
    if (pending === "") pendingLine = firstLine + i;
    if (/\\$/.test(line)) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const text = pending + line;
    pending = "";
    const heredoc = /<<-?\s*['"]?([A-Za-z_]+)['"]?/.exec(text);
    if (heredoc) heredocEnd = heredoc[1];
    for (const words of splitWords(text)) if (words.length > 0) commands.push({ words, text: text.trim(), line: pendingLine });
  }
  return commands;
}

/** Words of each command in one logical line (split at unquoted `&&`, `||`, `;`, `|`). */
function splitWords(text: string): string[][] {
  const commands: string[][] = [[]];
  let word = "";
  let inWord = false;
  const flush = (): void => {
    if (inWord) commands[commands.length - 1].push(word);
    word = "";
    inWord = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word += text.slice(i + 1, end === -1 ? undefined : end);
      inWord = true;
      i = end === -1 ? text.length : end;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\") j++;
        j++;
      }
      word += text.slice(i + 1, j).replace(/\\(.)/g, "$1");
      inWord = true;
      i = j;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[i + 1];
      inWord = true;
      i++;
    } else if (c === "$" && text[i + 1] === "(") {
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === "(") depth++;
        else if (text[j] === ")" && --depth === 0) break;
      }
      word += text.slice(i, j + 1);
      inWord = true;
      i = j;
    } else if (c === "#" && !inWord) {
      break;
    } else if (/\s/.test(c)) {
      flush();
    } else if (c === ";" || c === "|" || (c === "&" && text[i + 1] === "&")) {
      flush();
      if (text[i + 1] === c) i++;
      commands.push([]);
    } else {
      word += c;
      inWord = true;
    }
  }
  flush();
  return commands;
}

/** Heading anchors as GitHub makes them: lowercase, punctuation dropped, spaces to hyphens, duplicates numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  const tokens = new MarkdownIt().parse(markdown, {});
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].type !== "heading_open") continue;
    const text = (tokens[i + 1].children ?? []).map((t) => (t.type === "text" || t.type === "code_inline" ? t.content : "")).join("");
    const base = text
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** A documented name with `<placeholder>` parts, as a regular expression over real names. */
function namePattern(name: string): RegExp {
  const escaped = name
    .split(/<[^>]+>/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("[A-Za-z0-9._-]+");
  return new RegExp(`^${escaped}$`);
}

/** Project-prefixed names inside a word (`arn:…:role/mindhit-production-break-glass` → that role name). */
function projectNames(word: string, project: string): string[] {
  const found = word.match(new RegExp(`(?<![A-Za-z0-9_-])${project}(?:[-/._]|<[^>]+>|[A-Za-z0-9])*`, "g")) ?? [];
  // A trailing `.`, `/`, `-` or `_` is punctuation or a path separator, not part of the name.
  return found.map((n) => n.replace(/[-/._]+$/, "")).filter((n) => n !== project);
}

export class DocsChecker {
  private readonly problems: DocProblem[] = [];
  private commands = 0;
  private references = 0;
  private readonly anchorCache = new Map<string, Set<string>>();
  /**
   * Names a document says the stacks do not build (a hypothetical environment, an instance a
   * restore procedure creates): `<!-- docs-check-allow: a b -->`, stated next to them.
   */
  private examples = new Set<string>();

  constructor(private readonly facts: DocsFacts) {}

  checkFiles(files: readonly string[], helpTexts: ReadonlyMap<string, string> = new Map()): DocsReport {
    for (const file of files) this.checkFile(file);
    for (const [label, text] of helpTexts) this.checkHelpText(label, text);
    return { problems: this.problems, files: files.length + helpTexts.size, commands: this.commands, references: this.references };
  }

  /** A script's --help: its names, and its example command lines. */
  private checkHelpText(label: string, text: string): void {
    this.examples = new Set();
    text.split("\n").forEach((line, index) => {
      const example = /^\s+((?:scripts\/|\.\/scripts\/|aws |kubectl |helm |npx |npm ).*)$/.exec(line);
      if (example) {
        for (const command of shellCommands(example[1], index + 1)) this.checkCommand(label, command);
      } else {
        for (const word of line.split(/\s+/)) for (const name of projectNames(word, this.facts.project)) this.checkName(label, index + 1, name);
      }
    });
  }

  private checkFile(file: string): void {
    const source = fs.readFileSync(path.join(this.facts.repoRoot, file), "utf8");
    const tokens = new MarkdownIt({ html: true }).parse(source, {});
    this.examples = new Set();
    for (const token of tokens) {
      const directive = /<!--\s*docs-check-allow:\s*([^>]*?)\s*-->/.exec(token.type === "html_block" ? token.content : "");
      if (directive)
        directive[1]
          .split(/[\s,]+/)
          .filter((n) => n !== "")
          .forEach((n) => this.examples.add(n));
    }
    // Inline tokens inside tables carry no line map: use the last block's.
    let line = 1;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (token.map) line = token.map[0] + 1;
      if (token.type === "fence") {
        const language = token.info.trim().split(/\s+/)[0];
        if (!SHELL_LANGUAGES.has(language)) continue;
        for (const command of shellCommands(token.content, line + 1, language === "console")) this.checkCommand(file, command);
      } else if (token.type === "inline") {
        this.checkInline(file, line, token.children ?? []);
      }
    }
  }

  private problem(file: string, line: number, message: string): void {
    this.problems.push({ file, line, message });
  }

  private checkInline(file: string, line: number, children: MarkdownIt.Token[]): void {
    children.forEach((child, index) => {
      if (child.type === "code_inline") {
        const before = index > 0 && children[index - 1].type === "text" ? children[index - 1].content : "";
        this.checkCodeSpan(file, line, child.content, before);
      } else if (child.type === "link_open") {
        const href = String(child.attrGet("href") ?? "");
        if (href !== "" && !/^[a-z][a-z0-9+.-]*:/i.test(href)) this.checkLink(file, line, href);
      }
    });
  }

  private checkCodeSpan(file: string, line: number, code: string, textBefore: string): void {
    // "the output `x`", "outputs `x` and …": a Terraform output of some stack.
    if (/\boutputs?\s+$/i.test(textBefore) && /^[a-z][a-z0-9_]*$/.test(code)) {
      this.references++;
      if (!this.facts.outputs.has(code))
        this.problem(file, line, `output \`${code}\` is not an output of any stack (outputs: ${[...this.facts.outputs].sort().join(", ")})`);
      return;
    }
    // A state key (a path: local copies such as `restore.tfstate` are the operator's files).
    if (/^\S+\/\S*\.tfstate(-md5)?$/.test(code)) {
      this.checkStateKey(file, line, code.replace(new RegExp(`^(s3://)?(${[...this.facts.stateBuckets].join("|")})/`), "").replace(/-md5$/, ""));
      return;
    }
    // A code span that is a command (`npx cdktf deploy …`) is checked as one.
    if (/^(npx|npm|cdktf|bash|scripts\/|helm|kubectl|terraform|aws)\b/.test(code)) {
      for (const command of shellCommands(code, line)) this.checkCommand(file, command);
      return;
    }
    if (this.isRepositoryPath(file, line, code)) return;
    for (const name of projectNames(code, this.facts.project)) this.checkName(file, line, name);
  }

  /** `helm/mindhit/values-dev.yaml`, `src/environments/`: a path in this repository, whose directory must exist. */
  private isRepositoryPath(file: string, line: number, word: string): boolean {
    const first = word.split("/")[0];
    if (!word.includes("/") || !REPOSITORY_DIRECTORIES.includes(first)) return false;
    this.references++;
    const directory = word.endsWith("/") ? word : path.dirname(word);
    if (!fs.existsSync(path.join(this.facts.repoRoot, directory))) this.problem(file, line, `\`${word}\`: ${directory} does not exist in the repository`);
    return true;
  }

  private checkStateKey(file: string, line: number, key: string): void {
    this.references++;
    const pattern = namePattern(key);
    if (![...this.facts.stateKeys].some((k) => pattern.test(k))) {
      this.problem(file, line, `state key \`${key}\` is not used by any stack (keys: ${[...this.facts.stateKeys].sort().join(", ")})`);
    }
  }

  private checkName(file: string, line: number, name: string): void {
    this.references++;
    if (this.examples.has(name) || [...this.examples].some((e) => name.startsWith(`${e}/`) || name.startsWith(`${e}.`))) return;
    // A host or URL in the project's domain: the host must be one the stacks serve (the path is the app's).
    if (this.facts.hosts.has(name.split("/")[0])) return;
    const stateKey = new RegExp(`^(?:${[...this.facts.stateBuckets].join("|")})/(.+)$`).exec(name);
    if (stateKey) {
      const key = stateKey[1].replace(/-md5$/, "");
      if (/\.tfstate$/.test(key)) {
        this.checkStateKey(file, line, key);
        return;
      }
      const prefix = namePattern(key.replace(/\/$/, ""));
      const startsWithPrefix = (k: string): boolean => k.split("/").some((_, i, parts) => prefix.test(parts.slice(0, i + 1).join("/")));
      if ([...this.facts.stateKeys].some(startsWithPrefix)) return;
      this.problem(file, line, `\`${name}\`: no state key starts with ${key}`);
      return;
    }
    if (this.facts.names.has(name) || this.facts.stacks.has(name)) return;
    const pattern = namePattern(name);
    for (const known of this.facts.names) if (pattern.test(known)) return;
    // `bucket/path` (a path inside one of the stacks' buckets) and `stack/…` (its synth directory).
    const [first, ...rest] = name.split("/");
    if (rest.length > 0) {
      const firstPattern = namePattern(first);
      if ([...this.facts.buckets].some((b) => firstPattern.test(b))) return;
      if (this.facts.stacks.has(first) && /\.[a-z]+$/.test(name)) return; // cdktf.out/stacks/<stack>/cdk.tf.json
    }
    // A name may be the start of a longer one (the `mindhit-production` of `mindhit-production-alerts`).
    if (!name.includes("<")) for (const known of this.facts.names) if (known.startsWith(name) && /[-/._]/.test(known[name.length] ?? "")) return;
    this.problem(file, line, `\`${name}\` names nothing the stacks, the chart, the scripts or the workflows create or use`);
  }

  private checkLink(file: string, line: number, href: string): void {
    this.references++;
    const [target, anchor] = href.split("#", 2);
    const resolved = target === "" ? file : path.normalize(path.join(path.dirname(file), decodeURIComponent(target)));
    const absolute = path.join(this.facts.repoRoot, resolved);
    if (!fs.existsSync(absolute)) {
      this.problem(file, line, `link ${href}: ${resolved} does not exist`);
      return;
    }
    if (anchor === undefined || !resolved.endsWith(".md")) return;
    let anchors = this.anchorCache.get(resolved);
    if (anchors === undefined) {
      anchors = headingAnchors(fs.readFileSync(absolute, "utf8"));
      this.anchorCache.set(resolved, anchors);
    }
    if (!anchors.has(anchor)) this.problem(file, line, `link ${href}: ${resolved} has no heading #${anchor}`);
  }

  private checkCommand(file: string, command: Command): void {
    this.commands++;
    const words = command.words.filter((w) => !/^[A-Z_][A-Z0-9_]*=/.test(w) || command.words.indexOf(w) > 0);
    // Leading VAR=value assignments and `env`, `sudo`, `time` wrappers.
    while (words.length > 0 && (/^[A-Z_][A-Z0-9_]*=/.test(words[0]) || ["env", "time", "sudo"].includes(words[0]))) words.shift();
    const [tool, ...args] = words;
    if (tool === undefined) return;
    const at = (message: string): void => {
      this.problem(file, command.line, `\`${command.text}\`: ${message}`);
    };
    if (tool === "npx" && args[0] === "cdktf") this.checkCdktf(args.slice(1), at);
    else if (tool === "cdktf") this.checkCdktf(args, at);
    else if (tool === "npm") this.checkNpm(args, at);
    else if (tool === "bash" && args[0] !== undefined && /^(\.\/)?scripts\//.test(args[0])) this.checkScript(args[0], args.slice(1), at);
    else if (/^(\.\/)?scripts\/.+\.sh$/.test(tool)) this.checkScript(tool, args, at);
    else if (tool === "kubectl" || tool === "helm") this.checkKube(tool, args, at);
    else if (tool === "terraform") this.checkTerraform(args, at);
    // Names anywhere in the command (roles, secrets, parameters, clusters …), except local choices.
    for (let i = 0; i < words.length; i++) {
      if (["--profile", "--alias", "--context"].includes(words[i - 1] ?? "") || /^profile\./.test(words[i])) continue;
      if (/^--(profile|alias|context)=/.test(words[i])) continue;
      if (this.isRepositoryPath(file, command.line, words[i])) continue;
      for (const name of projectNames(words[i], this.facts.project)) this.checkName(file, command.line, name);
    }
  }

  private checkCdktf(args: string[], at: (message: string) => void): void {
    const [sub, ...rest] = args;
    if (sub === undefined || !STACK_COMMANDS.has(sub)) return;
    const positional = rest.filter((a) => !a.startsWith("-"));
    const flags = new Set(rest.filter((a) => a.startsWith("-")).map((f) => f.split("=")[0]));
    const named: string[] = [];
    for (const stack of positional) {
      this.references++;
      if (stack.includes("*") || stack.includes("?")) {
        const pattern = new RegExp(
          `^${stack
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        );
        const matched = [...this.facts.stacks.keys()].filter((s) => pattern.test(s));
        at(`'${stack}' matches ${matched.join(", ")}: name the stacks (the bootstrap and baseline stacks are applied by a person)`);
        continue;
      }
      const expected = namePattern(stack);
      const matches = [...this.facts.stacks.keys()].filter((s) => expected.test(s));
      if (matches.length === 0) at(`no stack ${stack} (stacks: ${[...this.facts.stacks.keys()].join(", ")})`);
      named.push(...matches);
    }
    if (flags.has("--ignore-missing-stack-dependencies")) return;
    const included = new Set(named);
    if (sub === "deploy") {
      for (const stack of named) {
        const missing = (this.facts.stacks.get(stack) ?? []).filter((d) => !included.has(d));
        if (missing.length > 0)
          at(
            `cdktf refuses to deploy ${stack} without ${missing.join(", ")}: add --ignore-missing-stack-dependencies (the platform stack is applied first) or name both`,
          );
      }
    } else if (sub === "destroy") {
      for (const stack of named) {
        const dependants = [...this.facts.stacks]
          .filter(([, deps]) => deps.includes(stack))
          .map(([s]) => s)
          .filter((s) => !included.has(s));
        if (dependants.length > 0)
          at(
            `cdktf refuses to destroy ${stack} while ${dependants.join(", ")} still depends on it: destroy that first, or add --ignore-missing-stack-dependencies`,
          );
      }
    }
  }

  private checkNpm(args: string[], at: (message: string) => void): void {
    const positional = args.filter((a) => !a.startsWith("-"));
    if (positional[0] !== "run" && positional[0] !== "run-script") return;
    const script = positional[1];
    this.references++;
    if (script === undefined || !this.facts.npmScripts.has(script))
      at(`package.json has no script "${script ?? ""}" (scripts: ${[...this.facts.npmScripts].join(", ")})`);
  }

  private checkScript(script: string, args: string[], at: (message: string) => void): void {
    const relative = script.replace(/^\.\//, "");
    this.references++;
    if (!fs.existsSync(path.join(this.facts.repoRoot, relative))) {
      at(`${relative} does not exist`);
      return;
    }
    const flags = args.filter((a) => /^--?[A-Za-z]/.test(a)).map((a) => a.split("=")[0]);
    if (flags.length === 0) return;
    const known = this.facts.scriptFlags(relative);
    for (const flag of flags) {
      this.references++;
      if (known === undefined) at(`${relative} has no --help, so ${flag} cannot be checked`);
      else if (!known.has(flag)) at(`${relative} --help lists no ${flag} (it lists ${[...known].join(", ")})`);
    }
  }

  private checkKube(tool: string, args: string[], at: (message: string) => void): void {
    for (let i = 0; i < args.length; i++) {
      const namespace = args[i] === "-n" || args[i] === "--namespace" ? args[i + 1] : /^--namespace=(.+)$/.exec(args[i])?.[1];
      if (namespace === undefined || namespace.includes("<") || namespace.startsWith("$")) continue;
      this.references++;
      if (!this.facts.namespaces.has(namespace))
        at(`namespace ${namespace} is not one the stacks or the chart create (${[...this.facts.namespaces].sort().join(", ")})`);
    }
    if (tool !== "helm") return;
    const positional = args.filter(
      (a, i) => !a.startsWith("-") && !["-n", "--namespace", "--max", "--timeout", "--revision", "-o", "--output"].includes(args[i - 1] ?? ""),
    );
    const [sub, release] = positional;
    if (["history", "rollback", "status", "uninstall"].includes(sub ?? "") || (sub === "get" && release !== undefined)) {
      const name = sub === "get" ? positional[2] : release;
      if (name === undefined || name.includes("<") || name.startsWith("$")) return;
      this.references++;
      if (!this.facts.releases.has(name)) at(`no Helm release ${name} (releases: ${[...this.facts.releases].sort().join(", ")})`);
    }
  }

  private checkTerraform(args: string[], at: (message: string) => void): void {
    const positional = args.filter((a) => !a.startsWith("-"));
    if (positional[0] !== "output" || positional[1] === undefined) return;
    this.references++;
    if (!this.facts.outputs.has(positional[1])) at(`no stack has an output ${positional[1]}`);
  }
}
