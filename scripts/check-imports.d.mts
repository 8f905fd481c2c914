export interface ImportCheck {
  /** Source files checked. */
  files: number;
  /** Each top-level folder of src/ (`(root)` for the files directly in it) and what it imports. */
  graph: Map<string, Set<string>>;
  /** One readable line (or paragraph, for a cycle) per broken rule. */
  problems: string[];
}
export function checkImports(root: string): ImportCheck;
export function graphLines(graph: Map<string, Set<string>>): string[];
