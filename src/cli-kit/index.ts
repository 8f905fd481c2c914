export { printable, writeLine, type CliIO } from './cli-io.js';
export {
  CliError,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
} from './cli-errors.js';
export type { CommandGroup, GroupContext } from './command-group.js';
export { renderTable } from './table.js';
export { CliRuntime } from './cli-runtime.js';
export { readPassword } from './password-input.js';
