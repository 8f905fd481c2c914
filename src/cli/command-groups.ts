import { usersCommandGroup } from '../users/cli/users.commands.js';
import { doctorCommandGroup } from '../doctor/doctor.commands.js';
import { locksCommandGroup } from '../auth/cli/locks.commands.js';
import type { CommandGroup } from '../cli-kit/command-group.js';

/** Every `rc-bridge` command group; a feature adds its group (from its own folder) here. */
export const COMMAND_GROUPS: readonly CommandGroup[] = [
  usersCommandGroup,
  locksCommandGroup,
  doctorCommandGroup,
];
