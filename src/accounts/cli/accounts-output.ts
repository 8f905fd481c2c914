import type { StandingOutcome } from '../../rocketchat/index.js';
import type { LoginTestReport } from '../login-test.service.js';
import type { RecheckReport } from '../source-recheck.service.js';
import type { SyncResult } from '../users-sync.service.js';

const ACCOUNT: Record<StandingOutcome['account'], [string, string]> = {
  // [done, would]
  deactivated: ['account deactivated', 'account would be deactivated'],
  'already-inactive': ['account already inactive', 'account already inactive'],
  kept: ['account kept (LDAP_DEPROVISION=logout)', 'account would be kept'],
  'not-linked': ['no account yet', 'no account yet'],
  refused: ['account not deactivated', 'account not deactivated'],
  retrying: [
    'account not deactivated yet (Rocket.Chat did not answer; retried every minute)',
    '',
  ],
  reactivated: ['account re-activated', 'account would be re-activated'],
  active: ['', ''],
};

/** One line per directory user (and per other user whose mappings changed something), a summary. */
export function syncText(result: SyncResult): string {
  const lines = result.users.map((r) => userLine(r, result.dryRun));
  const s = result.summary;
  lines.push(
    (result.dryRun ? 'Dry run: nothing changed. ' : '') +
      `${s.directoryUsers} directory user(s): ${s.active} active, ${s.deprovisioned} deprovisioned, ` +
      `${s.unavailable} not checked (directory unavailable); ${s.sessionsEnded} session(s) ended; ` +
      `group mappings applied for ${s.otherUsers} other user(s)`,
  );
  return lines.join('\n');
}

function userLine(r: RecheckReport, dryRun: boolean): string {
  const parts: string[] = [];
  if (r.status === 'unavailable') {
    parts.push(`not checked: ${r.error ?? 'the directory did not answer'}`);
  }
  if (r.profile.added.length > 0) {
    parts.push(`groups + ${r.profile.added.join(' + ')}`);
  }
  if (r.profile.removed.length > 0) {
    parts.push(`groups - ${r.profile.removed.join(' - ')}`);
  }
  const fields = r.profile.fields.filter((f) => f !== 'groups');
  if (fields.length > 0) {
    parts.push(`${fields.join(', ')} ${dryRun ? 'would change' : 'changed'}`);
  }
  if (['gone', 'disabled', 'not-in-group'].includes(r.status)) {
    parts.push(
      dryRun ? 'sessions would end' : `${r.sessionsEnded} session(s) ended`,
    );
  }
  const rc = r.rocketChat;
  if (rc) {
    const account = ACCOUNT[rc.account][dryRun ? 1 : 0];
    if (account) {
      parts.push(`Rocket.Chat ${account}${rc.error ? ` (${rc.error})` : ''}`);
    }
    const g = rc.groups;
    if (g && (g.granted.length > 0 || g.withdrawn.length > 0)) {
      parts.push(
        `mappings: ${g.granted.length} granted, ${g.withdrawn.length} withdrawn`,
      );
    }
    if (g && (g.failed.length > 0 || g.status === 'failed')) {
      parts.push(
        `mappings ${g.status}${g.error ? `: ${g.error}` : ''} (retried at the next apply)`,
      );
    }
  }
  return `${r.username} (${r.source}): ${r.status}${parts.length > 0 ? `; ${parts.join('; ')}` : '; no change'}`;
}

export function loginTestText(report: LoginTestReport): string {
  const lines = [
    `Sources, in order: ${report.order.join(', ')}`,
    ...report.sources.map(
      (s) =>
        `  ${s.source}: ${s.verdict}${s.reason ? ` (${s.reason})` : ''}` +
        `${s.dn ? `, entry ${s.dn}` : ''}${s.server ? ` on ${s.server}` : ''}`,
    ),
  ];
  if (report.answeredBy === undefined) {
    lines.push('Refused: no source accepted this name and password.');
    return lines.join('\n');
  }
  const user = report.bridgeUser;
  lines.push(`Answered by: ${report.answeredBy}`);
  if (user) {
    lines.push(
      `Bridge user: ${user.username} (${user.status.replaceAll('-', ' ')}${user.reason ? `: ${user.reason}` : ''})`,
    );
  }
  lines.push(
    report.groups.length > 0
      ? `Groups: ${report.groups.join('; ')}`
      : 'Groups: none',
  );
  const mappings = report.mappings;
  if (!mappings || mappings.matchedRules.length === 0) {
    lines.push('Mappings: no rule applies');
  } else {
    lines.push(`Mappings: rules ${mappings.matchedRules.join(', ')}`);
    for (const t of mappings.targets) {
      lines.push(`  ${t.kind} ${t.name} (rule ${t.rule})`);
    }
  }
  return lines.join('\n');
}
