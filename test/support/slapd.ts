import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { makeTestPki, type TestPki } from './ldap-test-pki.js';
import {
  ADMIN_DN,
  BASE_DN,
  GROUPS_DN,
  SERVICE_DN,
  personDn,
  seedLdif,
  sshaHash,
} from './slapd-seed.js';

export {
  BASE_DN,
  GROUPS_DN,
  PEOPLE_DN,
  SERVICE_DN,
  PEOPLE,
  personDn,
} from './slapd-seed.js';

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const ADMIN_PASSWORD = 'admin-pw-1';
export const SERVICE_PASSWORD = 'service-pw-1';

export interface TestDirectory {
  /** `ldap://127.0.0.1:<port>` (StartTLS available). */
  readonly ldapUrl: string;
  /** `ldaps://127.0.0.1:<port>`. */
  readonly ldapsUrl: string;
  /** The same ldaps listener on 127.0.0.2, which the certificate does not name. */
  readonly ldapsWrongNameUrl: string;
  readonly pki: TestPki;
  /** How the harness starts slapd (for the test that it dies with its parent). */
  readonly commandLine: readonly string[];
  /** slapd's process id while it runs. */
  readonly pid: number | undefined;
  /** slapd's stats log so far (connections, binds, searches). */
  log(): string;
  /** Simple binds slapd received for this DN (any outcome). */
  bindsFor(dn: string): number;
  /** The entry's entryUUID, read as the administrator. */
  entryUuid(dn: string): Promise<string>;
  addPerson(
    uid: string,
    password: string,
    attrs?: Record<string, string>,
  ): Promise<string>;
  removeEntry(dn: string): Promise<void>;
  /** ppolicy's administrative lock (pwdAccountLockedTime 000001010000Z), or its removal. */
  setLocked(dn: string, locked: boolean): Promise<void>;
  move(dn: string, newParent: string): Promise<string>;
  addMember(groupCn: string, memberDn: string): Promise<void>;
  removeMember(groupCn: string, memberDn: string): Promise<void>;
  stop(): Promise<void>;
  /** Starts again on the same ports with the same data. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Debian's OpenLDAP slapd as a child process: a throwaway cn=config (made by `slapadd -n0` from
 * the LDIF below) and mdb database in a temporary directory, ldap:// and ldaps:// on free ports
 * with a CA made for this run, seeded with people and groups (slapd-seed.ts). Modules: back_mdb;
 * ppolicy (administrative locks); dynlist (memberOf computed, nested groups included); refint
 * (group members follow renames and deletions). It runs under `setpriv --pdeathsig KILL`, so it
 * dies with the test process however that ends. Starts in well under a second.
 */
export async function startTestDirectory(): Promise<TestDirectory> {
  const dir = mkdtempSync(join(tmpdir(), 'rcbridge-slapd-'));
  try {
    const pki = makeTestPki(dir);
    mkdirSync(join(dir, 'slapd.d'));
    mkdirSync(join(dir, 'db'));
    writeFileSync(join(dir, 'config.ldif'), configLdif(dir, pki));
    writeFileSync(join(dir, 'seed.ldif'), seedLdif(SERVICE_PASSWORD));
    execFileSync(
      SLAPADD,
      ['-n0', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'config.ldif')],
      { stdio: 'pipe' },
    );
    execFileSync(
      SLAPADD,
      ['-n1', '-q', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'seed.ldif')],
      { stdio: 'pipe' },
    );
    const [ldapPort, ldapsPort] = [await freePort(), await freePort()];
    const directory = new SlapdDirectory(dir, pki, ldapPort, ldapsPort);
    await directory.start();
    return directory;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

class SlapdDirectory implements TestDirectory {
  private child: ChildProcess | undefined;
  private output = '';
  private readonly killOnExit = (): void => {
    this.child?.kill('SIGKILL');
  };

  constructor(
    private readonly dir: string,
    readonly pki: TestPki,
    private readonly ldapPort: number,
    private readonly ldapsPort: number,
  ) {}

  get ldapUrl(): string {
    return `ldap://127.0.0.1:${this.ldapPort}`;
  }

  get ldapsUrl(): string {
    return `ldaps://127.0.0.1:${this.ldapsPort}`;
  }

  get ldapsWrongNameUrl(): string {
    return `ldaps://127.0.0.2:${this.ldapsPort}`;
  }

  /**
   * slapd in the foreground (-d 256 also writes its stats log, binds and searches, to stderr),
   * under `setpriv --pdeathsig KILL` so the kernel kills it when its parent process dies.
   */
  get commandLine(): string[] {
    const listeners = `ldap://127.0.0.1:${this.ldapPort}/ ldaps://127.0.0.1:${this.ldapsPort}/ ldaps://127.0.0.2:${this.ldapsPort}/`;
    const args = [
      '-d',
      '256',
      '-F',
      join(this.dir, 'slapd.d'),
      '-h',
      listeners,
    ];
    return existsSync('/usr/bin/setpriv')
      ? ['/usr/bin/setpriv', '--pdeathsig', 'KILL', SLAPD, ...args]
      : [SLAPD, ...args];
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  log(): string {
    return this.output;
  }

  bindsFor(dn: string): number {
    const needle = `BIND dn="${dn.toLowerCase()}" method=128`;
    return this.output
      .toLowerCase()
      .split('\n')
      .filter((l) => l.includes(needle)).length;
  }

  async start(): Promise<void> {
    const [command, ...commandArgs] = this.commandLine;
    const child = spawn(command, commandArgs, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.output += chunk;
    });
    process.once('exit', this.killOnExit);
    const deadline = Date.now() + 10_000;
    while (
      !(await accepts(this.ldapPort)) ||
      !(await accepts(this.ldapsPort))
    ) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`slapd did not start:\n${this.output.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    process.removeListener('exit', this.killOnExit);
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async addPerson(
    uid: string,
    password: string,
    attrs: Record<string, string> = {},
  ): Promise<string> {
    const dn = personDn(uid);
    await this.admin((c) =>
      c.add(dn, {
        objectClass: 'inetOrgPerson',
        uid,
        cn: uid,
        sn: uid,
        userPassword: sshaHash(password),
        ...attrs,
      }),
    );
    return dn;
  }

  async entryUuid(dn: string): Promise<string> {
    let uuid = '';
    await this.admin(async (c) => {
      const { searchEntries } = await c.search(dn, {
        scope: 'base',
        attributes: ['entryUUID'],
      });
      uuid = String(searchEntries[0]?.entryUUID ?? '');
    });
    return uuid;
  }

  removeEntry(dn: string): Promise<void> {
    return this.admin((c) => c.del(dn));
  }

  setLocked(dn: string, locked: boolean): Promise<void> {
    const modification = new Attribute({
      type: 'pwdAccountLockedTime',
      values: locked ? ['000001010000Z'] : [],
    });
    return this.admin((c) =>
      c.modify(
        dn,
        new Change({ operation: locked ? 'replace' : 'delete', modification }),
      ),
    );
  }

  async move(dn: string, newParent: string): Promise<string> {
    const rdn = dn.slice(0, dn.search(/(?<!\\),/));
    await this.admin((c) => c.modifyDN(dn, `${rdn},${newParent}`));
    return `${rdn},${newParent}`;
  }

  addMember(groupCn: string, memberDn: string): Promise<void> {
    return this.changeMember('add', groupCn, memberDn);
  }

  removeMember(groupCn: string, memberDn: string): Promise<void> {
    return this.changeMember('delete', groupCn, memberDn);
  }

  private changeMember(
    operation: 'add' | 'delete',
    groupCn: string,
    memberDn: string,
  ): Promise<void> {
    const modification = new Attribute({ type: 'member', values: [memberDn] });
    return this.admin((c) =>
      c.modify(
        `cn=${groupCn},${GROUPS_DN}`,
        new Change({ operation, modification }),
      ),
    );
  }

  private async admin(work: (client: Client) => Promise<void>): Promise<void> {
    const client = new Client({
      url: this.ldapUrl,
      timeout: 5000,
      connectTimeout: 5000,
    });
    try {
      await client.bind(ADMIN_DN, ADMIN_PASSWORD);
      await work(client);
    } finally {
      await client.unbind();
    }
  }
}

function configLdif(dir: string, pki: TestPki): string {
  return `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: ${join(dir, 'slapd.pid')}
olcTLSCACertificateFile: ${pki.caFile}
olcTLSCertificateFile: ${pki.certFile}
olcTLSCertificateKeyFile: ${pki.keyFile}
# Accept a simple bind with a DN and no password as anonymous, as Active Directory and many
# servers do: the bridge must refuse empty passwords itself, and the tests prove it does.
olcAllows: bind_anon_dn

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: ppolicy
olcModuleLoad: dynlist
olcModuleLoad: refint

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif
include: file:///etc/ldap/schema/dyngroup.ldif

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: ${BASE_DN}
olcRootDN: ${ADMIN_DN}
olcRootPW: ${ADMIN_PASSWORD}
olcDbDirectory: ${join(dir, 'db')}
olcDbNoSync: TRUE
olcDbMaxSize: 33554432
olcDbIndex: objectClass eq
olcDbIndex: uid,cn,mail eq
olcDbIndex: member,uniqueMember eq
olcDbIndex: entryUUID eq
olcAccess: {0}to attrs=userPassword by anonymous auth by * none
olcAccess: {1}to * by dn.exact="${SERVICE_DN}" read by * none

dn: olcOverlay={0}ppolicy,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {0}ppolicy
olcPPolicyDefault: cn=default,ou=policies,${BASE_DN}

dn: olcOverlay={1}dynlist,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcDynListConfig
olcOverlay: {1}dynlist
olcDynListAttrSet: {0}groupOfURLs memberURL member+memberOf@groupOfNames*

dn: olcOverlay={2}refint,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcRefintConfig
olcOverlay: {2}refint
olcRefintAttribute: member uniqueMember
`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
