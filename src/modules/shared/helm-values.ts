/** A chart's values as a plain object (what a values file holds). */
export type HelmValues = Record<string, unknown>;

/** A Helm values document: JSON (a YAML subset), newline-terminated like a values file. */
export function toValuesDocument(values: object): string {
  return `${JSON.stringify(values, null, 2)}\n`;
}
