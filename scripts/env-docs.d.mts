export interface EnvEntry {
  section: string;
  name: string;
  required: boolean;
  value: string;
  meaning: string;
}
export function parseEnvExample(text: string): EnvEntry[];
export function variablesReadBySource(): Set<string>;
export function renderTable(entries: EnvEntry[]): string;
export function check(): string[];
