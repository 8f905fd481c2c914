import { createHash, randomBytes } from 'node:crypto';

export const BASE_DN = 'dc=example,dc=org';
export const PEOPLE_DN = `ou=people,${BASE_DN}`;
export const GROUPS_DN = `ou=groups,${BASE_DN}`;
export const ADMIN_DN = `cn=admin,${BASE_DN}`;
export const SERVICE_DN = `cn=rc-bridge,ou=services,${BASE_DN}`;

export interface SeedPerson {
  readonly uid: string;
  readonly cn: string;
  readonly displayName?: string;
  readonly mail?: string;
  readonly password: string;
  /** Parent entry; default PEOPLE_DN. */
  readonly parent?: string;
  /** Locked by an administrator (ppolicy's permanent lock). */
  readonly locked?: boolean;
}

/** Everyone's password is `<uid>-pw-1`, except where a test changes it. */
export const PEOPLE: readonly SeedPerson[] = [
  {
    uid: 'alice',
    cn: 'Alice Liddell',
    displayName: 'Alice L.',
    mail: 'alice@example.org',
    password: 'alice-pw-1',
  },
  {
    uid: 'bob',
    cn: 'Bob Builder',
    mail: 'bob@example.org',
    password: 'bob-pw-1',
  },
  { uid: 'carol', cn: 'Carol Danvers', password: 'carol-pw-1' },
  {
    uid: 'dave',
    cn: 'Dave Locked',
    mail: 'dave@example.org',
    password: 'dave-pw-1',
    locked: true,
  },
  {
    uid: 'josé',
    cn: 'José Núñez',
    mail: 'jose@example.org',
    password: 'josé-pw-1',
  },
  // A name with a literal asterisk: typed exactly, it must match this entry and nobody else.
  { uid: 'star*man', cn: 'Star Man', password: 'star*man-pw-1' },
  { uid: 'twin', cn: 'Twin One', password: 'twin-pw-1' },
  {
    uid: 'twin',
    cn: 'Twin Two',
    password: 'twin-pw-1',
    parent: `ou=contractors,${PEOPLE_DN}`,
  },
];

export function personDn(uid: string, parent = PEOPLE_DN): string {
  return `uid=${uid.replace(/([,+"\\<>;=])/g, '\\$1')},${parent}`;
}

/** `{SSHA}`: salted SHA-1, which every OpenLDAP build verifies without a module. */
export function sshaHash(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1')
    .update(password, 'utf8')
    .update(salt)
    .digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

function ldifValue(name: string, value: string): string {
  // Non-ASCII or leading space/colon/'<' values must be base64 in LDIF (RFC 2849).
  return /^[\x20-\x7e]*$/.test(value) && !/^[ :<]/.test(value)
    ? `${name}: ${value}`
    : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

function entry(dn: string, lines: [string, string][]): string {
  return [ldifValue('dn', dn), ...lines.map(([n, v]) => ldifValue(n, v))].join(
    '\n',
  );
}

function personEntry(p: SeedPerson): string {
  const lines: [string, string][] = [
    ['objectClass', 'inetOrgPerson'],
    ['uid', p.uid],
    ['cn', p.cn],
    ['sn', p.cn.split(' ').at(-1) ?? p.cn],
    ['userPassword', sshaHash(p.password)],
  ];
  if (p.displayName) {
    lines.push(['displayName', p.displayName]);
  }
  if (p.mail) {
    lines.push(['mail', p.mail]);
  }
  if (p.locked) {
    lines.push(['pwdAccountLockedTime', '000001010000Z']);
  }
  return entry(personDn(p.uid, p.parent), lines);
}

/** The directory's initial content, loaded offline with `slapadd -n1`. */
export function seedLdif(servicePassword: string): string {
  const ou = (name: string, parent = BASE_DN): string =>
    entry(`ou=${name},${parent}`, [
      ['objectClass', 'organizationalUnit'],
      ['ou', name],
    ]);
  const group = (cn: string, members: string[]): string =>
    entry(`cn=${cn},${GROUPS_DN}`, [
      ['objectClass', 'groupOfNames'],
      ['cn', cn],
      ...members.map((m): [string, string] => ['member', m]),
    ]);
  return (
    [
      entry(BASE_DN, [
        ['objectClass', 'dcObject'],
        ['objectClass', 'organization'],
        ['o', 'Example'],
        ['dc', 'example'],
      ]),
      ou('people'),
      ou('contractors', PEOPLE_DN),
      ou('former'),
      ou('groups'),
      ou('services'),
      ou('policies'),
      // ppolicy enforces pwdAccountLockedTime only under a policy with pwdLockout; no automatic
      // lockout after failures (pwdMaxFailure 0), so tests may type wrong passwords freely.
      entry(`cn=default,ou=policies,${BASE_DN}`, [
        ['objectClass', 'applicationProcess'],
        ['objectClass', 'pwdPolicy'],
        ['cn', 'default'],
        ['pwdAttribute', 'userPassword'],
        ['pwdLockout', 'TRUE'],
        ['pwdMaxFailure', '0'],
      ]),
      entry(SERVICE_DN, [
        ['objectClass', 'applicationProcess'],
        ['objectClass', 'simpleSecurityObject'],
        ['cn', 'rc-bridge'],
        ['userPassword', sshaHash(servicePassword)],
      ]),
      ...PEOPLE.map(personEntry),
      // chat ⊃ staff ⊃ alice: alice is in chat through one level of nesting; bob directly.
      group('staff', [personDn('alice')]),
      group('chat', [`cn=staff,${GROUPS_DN}`, personDn('bob')]),
      // A membership cycle must not loop the nesting walk.
      group('loop-a', [`cn=loop-b,${GROUPS_DN}`, personDn('carol')]),
      group('loop-b', [`cn=loop-a,${GROUPS_DN}`]),
      entry(`cn=ops,${GROUPS_DN}`, [
        ['objectClass', 'groupOfUniqueNames'],
        ['cn', 'ops'],
        ['uniqueMember', personDn('carol')],
      ]),
    ].join('\n\n') + '\n'
  );
}
