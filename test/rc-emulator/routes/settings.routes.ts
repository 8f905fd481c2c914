import type { RouteContext, RouteDefinition } from '../core/context.js';
import type { SettingValue } from '../core/defaults.js';
import {
  failure,
  MeteorError,
  success,
  type ApiResult,
} from '../core/errors.js';

function getSetting(ctx: RouteContext): ApiResult {
  const setting = ctx.core.state.settings.get(ctx.params._id);
  return setting
    ? success({ _id: setting._id, value: setting.value })
    : failure();
}

function postSetting(ctx: RouteContext): ApiResult {
  const setting = ctx.core.state.settings.get(ctx.params._id);
  if (!setting || !('value' in ctx.body)) {
    return failure();
  }
  ctx.core.state.applySettings({
    [setting._id]: ctx.body.value as SettingValue,
  });
  return success();
}

function requestedIds(ctx: RouteContext): string[] | undefined {
  const { query } = ctx;
  if (typeof query._id === 'string' && query._id) {
    return query._id.split(',').map((id) => id.trim());
  }
  // The `query` (and `fields`) parameter was deprecated in 5.0 and removed in 9.0 (docs
  // "Deprecated and phasing out features"); taken here as ignored from 9.0 on.
  if (typeof query.query === 'string' && ctx.version.major < 9) {
    try {
      const parsed = JSON.parse(query.query) as { _id?: unknown };
      if (typeof parsed._id === 'string') {
        return [parsed._id];
      }
      const $in = (parsed._id as { $in?: unknown } | undefined)?.$in;
      if (Array.isArray($in)) {
        return $in.map(String);
      }
    } catch {
      throw new MeteorError(
        'error-invalid-query',
        'Invalid query parameter provided',
      );
    }
  }
  return undefined;
}

/** `settings.public`: anonymous, paginated, only public settings. */
function publicSettings(ctx: RouteContext): ApiResult {
  const ids = requestedIds(ctx);
  const all = [...ctx.core.state.settings.values()]
    .filter((s) => s.public && (!ids || ids.includes(s._id)))
    .sort((a, b) => a._id.localeCompare(b._id));
  const offset = Math.max(Number(ctx.query.offset ?? 0) || 0, 0);
  const count = Math.min(Math.max(Number(ctx.query.count ?? 50) || 50, 1), 100);
  const settings = all
    .slice(offset, offset + count)
    .map((s) => ({ _id: s._id, value: s.value }));
  return success({
    settings,
    count: settings.length,
    offset,
    total: all.length,
  });
}

function listPermissions(ctx: RouteContext): ApiResult {
  const since = ctx.query.updatedSince;
  if (
    since !== undefined &&
    (typeof since !== 'string' || Number.isNaN(new Date(since).getTime()))
  ) {
    throw new MeteorError(
      'error-updatedSince-param-invalid',
      'The "updatedSince" query parameter must be a valid date.',
    );
  }
  const update = [...ctx.core.state.permissions.entries()].map(
    ([_id, roles]) => ({
      _id,
      roles,
      _updatedAt: new Date(0).toISOString(),
    }),
  );
  return success({ update, remove: [] });
}

export const settingsRoutes: RouteDefinition[] = [
  {
    key: 'settings/:_id',
    method: 'GET',
    authRequired: true,
    permissions: { list: ['view-privileged-setting'], operation: 'hasAll' },
    handler: getSetting,
  },
  {
    key: 'settings/:_id',
    method: 'POST',
    authRequired: true,
    twoFactorRequired: true,
    permissions: { list: ['edit-privileged-setting'], operation: 'hasAll' },
    handler: postSetting,
  },
  {
    key: 'settings.public',
    method: 'GET',
    authRequired: false,
    handler: publicSettings,
  },
  {
    key: 'permissions.listAll',
    method: 'GET',
    authRequired: true,
    handler: listPermissions,
  },
];
