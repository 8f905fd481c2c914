import { usersCommandGroup } from '../users/index.js';
import { doctorCommandGroup } from '../doctor/index.js';
import { locksCommandGroup } from '../auth/index.js';
import type { CommandGroup } from '../cli-kit/index.js';
import { completionCommandGroup } from './completion.commands.js';

/** Every `rc-bridge` command group; a feature adds its group (from its own folder) here. */
export const COMMAND_GROUPS: readonly CommandGroup[] = [
  usersCommandGroup,
  locksCommandGroup,
  doctorCommandGroup,
  completionCommandGroup,
];
