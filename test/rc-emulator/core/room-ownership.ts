import type { EmulatorCore } from './context.js';
import { MeteorError } from './errors.js';

/** One of the rooms a deactivation would hand over or delete (getRoomsWithSingleOwner.ts). */
interface SingleOwnedRoom {
  rid: string;
  name: string;
  shouldBeRemoved: boolean;
  newOwner: string | null;
}

/**
 * `getSubscribedRoomsForUserWithDetails` (apps/meteor/app/lib/server/functions/
 * getRoomsWithSingleOwner.ts @06fcfc3e2790): for each room the user is in (not DMs), as the only
 * owner: the oldest other active member becomes owner, or, with none, the room is removed; as a
 * non-owner: the room is removed when the user is its only member.
 */
async function roomsToRelinquish(
  core: EmulatorCore,
  userId: string,
): Promise<SingleOwnedRoom[]> {
  const found: SingleOwnedRoom[] = [];
  for (const sub of await core.rooms.subscriptionsOf(userId)) {
    const members = (await core.rooms.membersOf(sub.rid)).sort(
      (a, b) => a.ts.getTime() - b.ts.getTime(),
    );
    if (sub.roles?.includes('owner')) {
      const owners = members.filter((m) => m.roles?.includes('owner'));
      if (owners.length !== 1) {
        continue;
      }
      let newOwner: string | null = null;
      for (const member of members) {
        const user =
          member.u._id === userId
            ? null
            : await core.users.findById(member.u._id);
        if (user?.active) {
          newOwner = user._id;
          break;
        }
      }
      found.push({
        rid: sub.rid,
        name: sub.name,
        shouldBeRemoved: newOwner === null,
        newOwner,
      });
    } else if (members.length === 1) {
      found.push({
        rid: sub.rid,
        name: sub.name,
        shouldBeRemoved: true,
        newOwner: null,
      });
    }
  }
  return found;
}

/**
 * The owner check of `setUserActiveStatus` (apps/meteor/app/lib/server/functions/
 * setUserActiveStatus.ts @12bc9e36e44a) when a user is deactivated: rooms whose only owner they
 * are, or whose only member, refuse with `user-last-owner` (details: those rooms) unless
 * `confirmRelinquish` (REST `users.setActiveStatus` passes it through, apps/meteor/app/api/
 * server/v1/users.ts @7bf6c349d9e7); with it, `relinquishRoomOwnerships` (relinquishRoomOwnerships.ts
 * @0735cd8eab15) makes the new owners and deletes the rooms left without one.
 */
export async function relinquishOrRefuse(
  core: EmulatorCore,
  userId: string,
  confirmRelinquish: boolean,
): Promise<void> {
  const rooms = await roomsToRelinquish(core, userId);
  if (rooms.length === 0) {
    return;
  }
  if (!confirmRelinquish) {
    throw new MeteorError(
      'user-last-owner',
      '',
      rooms.map((r) => ({ rid: r.rid, name: r.name })),
    );
  }
  for (const room of rooms) {
    if (room.newOwner) {
      await core.rooms.subscriptions.updateOne(
        { rid: room.rid, 'u._id': room.newOwner },
        { $addToSet: { roles: 'owner' } },
      );
    } else {
      await core.rooms.subscriptions.deleteMany({ rid: room.rid });
      await core.rooms.rooms.deleteOne({ _id: room.rid });
    }
  }
}
