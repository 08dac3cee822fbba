/** IAM's ARN wildcard matching: `*` any run of characters, `?` one character, nothing else special. */
export function iamPatternMatches(value: string, pattern: string): boolean {
  const regex = new RegExp(`^${pattern.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&"))).join("")}$`);
  return regex.test(value);
}
