/**
 * Active Directory specifics, written from Microsoft's documentation (no domain controller runs in
 * the tests; these pure parts are unit-tested):
 * - userAccountControl: bit 0x2 ACCOUNTDISABLE ([MS-ADTS] 2.2.16, "UF_ACCOUNTDISABLE").
 * - accountExpires: 100-nanosecond intervals since 1601-01-01 UTC; 0 and 2^63-1 mean never.
 * - objectGUID: 16 bytes in the GUID structure's memory layout ([MS-DTYP] 2.3.4): the first three
 *   fields little-endian, so the canonical string swaps their bytes.
 * - A failed simple bind answers invalidCredentials (49) with "data <code>" in the diagnostic
 *   message telling why ("Common Active Directory Bind Errors").
 */

import type { LdapRefusal } from './ldap-results.js';

const UF_ACCOUNTDISABLE = 0x2;

/** Whether userAccountControl (a decimal number, as AD sends it) has the disabled flag. */
export function isDisabledByUserAccountControl(
  value: string | undefined,
): boolean {
  if (value === undefined || !/^-?\d+$/.test(value.trim())) {
    return false;
  }
  // The attribute is a signed 32-bit integer; bitwise operators work on exactly that.
  return (Number(value.trim()) & UF_ACCOUNTDISABLE) !== 0;
}

const NEVER = 9_223_372_036_854_775_807n;
const FILETIME_TICKS_PER_MS = 10_000n;
/** Milliseconds from 1601-01-01 to 1970-01-01. */
const EPOCH_OFFSET_MS = 11_644_473_600_000n;

/** Whether accountExpires lies in the past at `nowMs`. */
export function isExpiredAccount(
  value: string | undefined,
  nowMs: number,
): boolean {
  if (value === undefined || !/^\d+$/.test(value.trim())) {
    return false;
  }
  const ticks = BigInt(value.trim());
  if (ticks === 0n || ticks >= NEVER) {
    return false;
  }
  const ms = ticks / FILETIME_TICKS_PER_MS - EPOCH_OFFSET_MS;
  return ms <= BigInt(Math.floor(nowMs));
}

/** objectGUID bytes → `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (lower case), or undefined. */
export function renderObjectGuid(bytes: Buffer): string | undefined {
  if (bytes.length !== 16) {
    return undefined;
  }
  const hex = (indexes: number[]): string =>
    indexes.map((i) => bytes[i].toString(16).padStart(2, '0')).join('');
  return [
    hex([3, 2, 1, 0]),
    hex([5, 4]),
    hex([7, 6]),
    hex([8, 9]),
    hex([10, 11, 12, 13, 14, 15]),
  ].join('-');
}

/** The inverse of renderObjectGuid, for a search by objectGUID; undefined if not a GUID. */
export function objectGuidBytes(guid: string): Buffer | undefined {
  const match =
    /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i.exec(
      guid.trim(),
    );
  if (!match) {
    return undefined;
  }
  const le = (h: string): Buffer =>
    Buffer.from(Buffer.from(h, 'hex').toReversed());
  return Buffer.concat([
    le(match[1]),
    le(match[2]),
    le(match[3]),
    Buffer.from(match[4], 'hex'),
    Buffer.from(match[5], 'hex'),
  ]);
}

const BIND_DATA_CODES: Readonly<Record<string, LdapRefusal>> = {
  '525': 'unknown-user',
  '52e': 'wrong-password',
  '530': 'logon-restricted',
  '531': 'logon-restricted',
  '532': 'password-expired',
  '533': 'disabled',
  '701': 'account-expired',
  '773': 'must-change-password',
  '775': 'locked',
};

/** Why AD refused a bind, from "…, data 52e, v4563": undefined for other servers' messages. */
export function activeDirectoryBindRefusal(
  diagnostic: string,
): LdapRefusal | undefined {
  const match = /\bdata ([0-9a-f]{3,8})\b/i.exec(diagnostic);
  return match ? BIND_DATA_CODES[match[1].toLowerCase()] : undefined;
}
