import type { RouteContext, RouteDefinition } from '../core/context.js';
import {
  failure,
  forbidden,
  success,
  unauthorized,
  type ApiResult,
} from '../core/errors.js';
import { hasPermissionInRoom } from '../core/room-access.js';
import type { TeamDoc } from '../core/rooms.store.js';
import type { UserDoc } from '../core/users.store.js';
import { str, type Schema } from '../core/validation.js';

/*
 * apps/meteor/app/api/server/v1/teams.ts @00833ea3 (the team by `teamId` or `teamName`;
 * 'team-does-not-exist'; a missing team permission answered `unauthorized()`, 401 on 7.x, and
 * `forbidden()`, 403, once the routes moved to it in 8.x) and TeamService.addMembers /
 * removeMembers (apps/meteor/server/services/team/service.ts @ed3fd2bd): a member is added to
 * the team's main room (which makes the team membership), removing needs a membership or a
 * subscription ('member-does-not-exist') and keeps the last owner.
 */

const teamTarget = (extra: Record<string, Schema>, required: string[]) => ({
  type: 'object' as const,
  oneOf: ['teamId', 'teamName'].map((key): Schema => ({
    type: 'object',
    properties: { [key]: str(), ...extra },
    required: [key, ...required],
    additionalProperties: false,
  })),
});

const addMembersSchema: Schema = teamTarget(
  {
    members: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          userId: str(),
          roles: { type: 'array', items: str(), nullable: true },
        },
        required: ['userId'],
        additionalProperties: false,
      },
    },
  },
  ['members'],
);

const removeMemberSchema: Schema = teamTarget(
  {
    userId: str(),
    rooms: { type: 'array', items: str() },
  },
  ['userId'],
);

function teamOf(ctx: RouteContext): Promise<TeamDoc | null> {
  return ctx.core.rooms.findTeam({
    teamId: ctx.body.teamId as string | undefined,
    teamName: ctx.body.teamName as string | undefined,
  });
}

function refused(ctx: RouteContext): ApiResult {
  return ctx.version.major < 8 ? unauthorized() : forbidden();
}

async function addMembers(ctx: RouteContext): Promise<ApiResult> {
  const caller = ctx.user as UserDoc;
  const team = await teamOf(ctx);
  if (!team) {
    return failure('team-does-not-exist');
  }
  const allowed =
    (await hasPermissionInRoom(
      ctx.core,
      caller,
      'add-team-member',
      team.roomId,
    )) ||
    (await hasPermissionInRoom(
      ctx.core,
      caller,
      'edit-team-member',
      team.roomId,
    ));
  if (!allowed) {
    return refused(ctx);
  }
  const room = await ctx.core.rooms.findRoom(team.roomId);
  const members = ctx.body.members as { userId: string; roles?: string[] }[];
  for (const member of members) {
    const user = await ctx.core.users.findById(member.userId);
    if (!user || !room) {
      // TeamService.addMembers hands an unknown user to addUserToRoom, which throws.
      return failure('invalid-user');
    }
    await ctx.core.rooms.subscribe(room, user, caller);
    if (member.roles?.length) {
      await ctx.core.rooms.teamMembers.updateOne(
        { teamId: team._id, userId: user._id },
        { $addToSet: { roles: { $each: member.roles } } },
      );
    }
  }
  return success();
}

async function removeMember(ctx: RouteContext): Promise<ApiResult> {
  const caller = ctx.user as UserDoc;
  const team = await teamOf(ctx);
  if (!team) {
    return failure('team-does-not-exist');
  }
  if (
    !(await hasPermissionInRoom(
      ctx.core,
      caller,
      'edit-team-member',
      team.roomId,
    ))
  ) {
    return refused(ctx);
  }
  const userId = ctx.body.userId as string;
  const user = await ctx.core.users.findById(userId);
  if (!user || user.active === false) {
    return failure('invalid-user');
  }
  const membership = await ctx.core.rooms.findTeamMember(team._id, userId);
  const sub = await ctx.core.rooms.findSubscription(team.roomId, userId);
  if (!membership && !sub) {
    return failure('member-does-not-exist');
  }
  if (membership?.roles.includes('owner')) {
    const owners = await ctx.core.rooms.teamMembers.countDocuments({
      teamId: team._id,
      roles: 'owner',
    });
    if (owners === 1) {
      return failure('last-owner-can-not-be-removed');
    }
  }
  await ctx.core.rooms.teamMembers.deleteOne({ teamId: team._id, userId });
  const room = await ctx.core.rooms.findRoom(team.roomId);
  if (room) {
    await ctx.core.rooms.unsubscribe(room, userId);
  }
  return success();
}

export const teamsRoutes: RouteDefinition[] = [
  {
    key: 'teams.addMembers',
    method: 'POST',
    authRequired: true,
    body: addMembersSchema,
    handler: addMembers,
  },
  {
    key: 'teams.removeMember',
    method: 'POST',
    authRequired: true,
    body: removeMemberSchema,
    handler: removeMember,
  },
];
