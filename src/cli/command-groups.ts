import { usersCommandGroup } from '../auth/users/cli/users.commands.js';
import { doctorCommandGroup } from '../doctor/doctor.commands.js';
import { locksCommandGroup } from '../security/cli/locks.commands.js';
import type { CommandGroup } from './command-group.js';
import { completionCommandGroup } from './completion.commands.js';

/** Every `rc-bridge` command group; a feature adds its group (from its own folder) here. */
export const COMMAND_GROUPS: readonly CommandGroup[] = [
  usersCommandGroup,
  locksCommandGroup,
  doctorCommandGroup,
  completionCommandGroup,
];
