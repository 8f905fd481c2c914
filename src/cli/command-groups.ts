import { usersCommandGroup } from '../users/index.js';
import {
  usersSyncCommandGroup,
  usersTestLoginCommandGroup,
} from '../accounts/index.js';
import { doctorCommandGroup } from '../doctor/index.js';
import { locksCommandGroup } from '../auth/index.js';
import type { CommandGroup } from '../cli-kit/index.js';
import { completionCommandGroup } from './completion.commands.js';

/** Every `rc-bridge` command group; a feature adds its group (from its own folder) here. */
export const COMMAND_GROUPS: readonly CommandGroup[] = [
  usersCommandGroup,
  // More `users` commands, needing the directory (and, for sync, Rocket.Chat).
  usersSyncCommandGroup,
  usersTestLoginCommandGroup,
  locksCommandGroup,
  doctorCommandGroup,
  completionCommandGroup,
];
