import { Argument, type Command } from 'commander';
import type { CommandGroup, GroupContext } from '../cli-kit/index.js';
import { SHELLS, completionScript, type Shell } from './completion.js';

/** `rc-bridge completion bash|zsh|fish`: the shell completion script, from the commands themselves. */
export const completionCommandGroup: CommandGroup = {
  name: 'completion',
  description: 'Print the shell completion script for bash, zsh or fish',
  configNamespaces: [],
  imports: [],
  needsDatabase: false,
  register(command: Command, { io }: GroupContext): void {
    command
      .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
      .addHelpText(
        'after',
        [
          '',
          'Load it for this shell, or add the line to its start-up file:',
          '  bash (~/.bashrc):                   source <(rc-bridge completion bash)',
          '  zsh (~/.zshrc, after compinit):     source <(rc-bridge completion zsh)',
          '  fish (~/.config/fish/config.fish):  rc-bridge completion fish | source',
        ].join('\n'),
      )
      .action((shell: Shell) => {
        let program = command;
        while (program.parent) {
          program = program.parent;
        }
        io.stdout.write(completionScript(program, shell));
      });
  },
};
