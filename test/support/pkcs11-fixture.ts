import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Smartcards for tests: SoftHSM2 tokens holding an RSA key made on the token and a certificate for it from
 * a test CA, and a fault-injecting PKCS#11 library (test/pkcs11/fault-module.c) to put in front of them.
 *
 * Needs softhsm2, opensc (pkcs11-tool), libengine-pkcs11-openssl and openssl; the fault module needs cc.
 */

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

const root = path.resolve(import.meta.dirname, '../..');
const faultSource = path.join(root, 'test/pkcs11/fault-module.c');
const pkcs11Headers = path.join(root, 'node_modules/pkcs11js/includes/pkcs11');
const run = promisify(execFile);

export interface SoftHsmUser {
  label: string;
  /** The smartcard's user id, such as 555000000001: the subject is `CN=<uid>_<name>`. */
  uid: string;
  name: string;
  /** Default 123456. */
  pin?: string;
  /** The certificate's keyUsage, in openssl's form. Default `critical,nonRepudiation`. */
  keyUsage?: string;
  /** Valid until this many days from now (default 365). Negative makes an expired certificate. */
  notAfterDays?: number;
  /** CKA_ID of the key and certificate, hex. Default 01, 02, … by position. */
  keyId?: string;
  /**
   * Make the private key CKA_PRIVATE, so that it is only found after logging in. By default it is found
   * without, as the card signer expects of a smartcard.
   */
  privateKeyNeedsLogin?: boolean;
}

export interface SoftHsmToken {
  label: string;
  pin: string;
  soPin: string;
  uid: string;
  name: string;
  /** CKA_ID, hex. */
  keyId: string;
  certificateDer: Buffer;
  certificatePem: string;
}

export interface SoftHsm {
  dir: string;
  conf: string;
  /** SOFTHSM2_CONF: set it in process.env before loading the library in-process. */
  env: Record<string, string>;
  module: string;
  tokens: SoftHsmToken[];
  caCertificatePem: string;
  cleanup(): Promise<void>;
}

const SO_PIN = '87654321';
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Generates the RSA-2048 key pair on the token (`signkey`), in a child process because a PKCS#11 library
 * can be initialised once per process and the test process will load SoftHSM2 itself. Not pkcs11-tool
 * --keypairgen: that always makes the private key CKA_PRIVATE, which SoftHSM2 will not change afterwards
 * (CKR_ATTRIBUTE_READ_ONLY), and a card's key is found before the passcode is asked for.
 * Arguments: module, token label, PIN, CKA_ID (hex), 1 for CKA_PRIVATE.
 */
const GENERATE_KEY = `
import pkcs11js from 'pkcs11js';
const [library, label, pin, id, hidden] = process.argv.slice(1);
const p11 = new pkcs11js.PKCS11();
p11.load(library);
p11.C_Initialize();
try {
  const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === label);
  const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  p11.C_Login(session, pkcs11js.CKU_USER, pin);
  const both = [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_ID, value: Buffer.from(id, 'hex') },
    { type: pkcs11js.CKA_LABEL, value: 'signkey' },
  ];
  p11.C_GenerateKeyPair(session, { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN }, [
    ...both,
    { type: pkcs11js.CKA_VERIFY, value: true },
    { type: pkcs11js.CKA_MODULUS_BITS, value: 2048 },
    { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
  ], [
    ...both,
    { type: pkcs11js.CKA_SIGN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: hidden === '1' },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
  ]);
} finally {
  p11.C_Finalize();
}
`;

/** A private SoftHSM2 token directory with one initialised token per user. About 0.4 s a token. */
export async function createSoftHsmToken(options: { users: SoftHsmUser[] }): Promise<SoftHsm> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sc-hsm-'));
  try {
    const conf = path.join(dir, 'softhsm2.conf');
    await fs.mkdir(path.join(dir, 'tokens'));
    await fs.mkdir(path.join(dir, 'ca'));
    await fs.writeFile(
      conf,
      [
        `directories.tokendir = ${path.join(dir, 'tokens')}`,
        'objectstore.backend = file',
        'log.level = ERROR',
        'slots.removable = false',
        '',
      ].join('\n'),
    );
    const env = { SOFTHSM2_CONF: conf };
    const toolsEnv = toolEnv({ ...env, PKCS11_MODULE_PATH: SOFTHSM_MODULE });

    // The CA key is the slow part of the CA; make it while the first token is set up.
    const ca = makeCa(dir, toolsEnv);
    // Awaited below; this only stops a failure from being reported as unhandled if a token fails first.
    ca.catch(() => undefined);
    const tokens: SoftHsmToken[] = [];
    for (const [index, user] of options.users.entries()) {
      // One at a time: --init-token --free takes whichever slot is free.
      tokens.push(await makeToken(dir, toolsEnv, user, index, ca));
    }
    return {
      dir,
      conf,
      env,
      module: SOFTHSM_MODULE,
      tokens,
      caCertificatePem: await fs.readFile((await ca).certificate, 'utf8'),
      cleanup: () => fs.rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true });
    throw error;
  }
}

interface Ca {
  key: string;
  certificate: string;
  config: string;
}

async function makeCa(dir: string, env: NodeJS.ProcessEnv): Promise<Ca> {
  const ca: Ca = {
    key: path.join(dir, 'ca.key'),
    certificate: path.join(dir, 'ca.pem'),
    config: path.join(dir, 'ca.cnf'),
  };
  await fs.writeFile(path.join(dir, 'ca', 'index.txt'), '');
  // `openssl ca` rather than `x509 -req`: only it takes explicit start and end dates (expired certificates).
  await fs.writeFile(
    ca.config,
    [
      '[ca]',
      'default_ca = test',
      '[test]',
      `database = ${path.join(dir, 'ca', 'index.txt')}`,
      `new_certs_dir = ${path.join(dir, 'ca')}`,
      `serial = ${path.join(dir, 'ca', 'serial')}`,
      'default_md = sha256',
      'policy = any',
      'unique_subject = no',
      '[any]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  await tool(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', ca.key, '-subj', '/CN=Signing Companion Test CA',
      '-days', '3650', '-out', ca.certificate],
    env,
  );
  return ca;
}

async function makeToken(
  dir: string,
  env: NodeJS.ProcessEnv,
  user: SoftHsmUser,
  index: number,
  caReady: Promise<Ca>,
): Promise<SoftHsmToken> {
  const pin = user.pin ?? '123456';
  const keyId = user.keyId ?? (index + 1).toString(16).padStart(2, '0');
  const work = path.join(dir, `user-${index}`);
  await fs.mkdir(work);
  const login = ['--module', SOFTHSM_MODULE, '--token-label', user.label, '--login', '--pin', pin];

  await tool('softhsm2-util', ['--init-token', '--free', '--label', user.label, '--pin', pin, '--so-pin', SO_PIN], env);
  await tool(
    process.execPath,
    ['--input-type=module', '-e', GENERATE_KEY, SOFTHSM_MODULE, user.label, pin, keyId,
      user.privateKeyNeedsLogin ? '1' : '0'],
    env,
  );

  const csr = path.join(work, 'request.pem');
  const uri = `pkcs11:token=${pkcs11UriValue(user.label)};object=signkey;type=private;pin-value=${pkcs11UriValue(pin)}`;
  const subject = `/CN=${`${user.uid}_${user.name}`.replace(/[\\/+=,]/g, '\\$&')}`;
  await tool(
    'openssl',
    ['req', '-new', '-engine', 'pkcs11', '-keyform', 'engine', '-key', uri, '-subj', subject, '-out', csr],
    env,
  );

  const ca = await caReady;
  const extensions = path.join(work, 'extensions.cnf');
  await fs.writeFile(extensions, `keyUsage = ${user.keyUsage ?? 'critical,nonRepudiation'}\n`);
  const notAfter = Date.now() + (user.notAfterDays ?? 365) * DAY_MS;
  const notBefore = Math.min(Date.now() - DAY_MS, notAfter - DAY_MS);
  const pem = path.join(work, 'certificate.pem');
  await tool(
    'openssl',
    ['ca', '-batch', '-config', ca.config, '-cert', ca.certificate, '-keyfile', ca.key, '-in', csr, '-out', pem,
      '-notext', '-rand_serial', '-extfile', extensions, '-startdate', asn1Time(notBefore),
      '-enddate', asn1Time(notAfter)],
    env,
  );
  const certificatePem = await fs.readFile(pem, 'utf8');
  const certificateDer = Buffer.from(new crypto.X509Certificate(certificatePem).raw);
  const der = path.join(work, 'certificate.der');
  await fs.writeFile(der, certificateDer);
  await tool(
    'pkcs11-tool',
    [...login, '--write-object', der, '--type', 'cert', '--id', keyId, '--label', 'signcert'],
    env,
  );

  const { label, uid, name } = user;
  return { label, pin, soPin: SO_PIN, uid, name, keyId, certificateDer, certificatePem };
}

/**
 * Compiles test/pkcs11/fault-module.c once per machine and source: the library is cached under the temp
 * folder by a hash of the source and flags. Returns the path of the .so.
 */
export async function buildFaultModule(): Promise<string> {
  const source = await fs.readFile(faultSource);
  const flags = ['-shared', '-fPIC', '-O2', `-I${pkcs11Headers}`];
  // The include path is left out: the same source and flags make the same library from any checkout.
  const hash = crypto
    .createHash('sha256')
    .update(source)
    .update(flags.slice(0, 3).join(' '))
    .digest('hex')
    .slice(0, 16);
  const cache = path.join(os.tmpdir(), 'signing-companion-pkcs11');
  const library = path.join(cache, `fault-module-${hash}.so`);
  if (await exists(library)) {
    return library;
  }
  await fs.mkdir(cache, { recursive: true });
  // Built beside and renamed, so a parallel test never loads a half-written library.
  const partial = `${library}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  try {
    await run('cc', [...flags, '-o', partial, faultSource, '-ldl']);
  } catch (error) {
    await fs.rm(partial, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('buildFaultModule: no C compiler: `cc` is not on the PATH (install gcc or build-essential).', {
        cause: error,
      });
    }
    throw new Error(`buildFaultModule: cc failed:\n${(error as { stderr?: string }).stderr ?? String(error)}`, {
      cause: error,
    });
  }
  await fs.rename(partial, library);
  return library;
}

async function tool(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  try {
    // From the repository root, where the key generator's `import 'pkcs11js'` resolves.
    const { stdout } = await run(command, args, { env, cwd: root });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    const shown = args.map((arg) => (arg.includes('\n') ? '<script>' : arg)).join(' ');
    throw new Error(`${command} ${shown} failed:\n${stderr ?? ''}${stdout ?? ''}`, { cause: error });
  }
}

function toolEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  // A system or user openssl.cnf could load other engines or providers than the ones these commands name.
  delete env.OPENSSL_CONF;
  return env;
}

/** A PKCS#11 URI attribute value (RFC 7512): anything but unreserved characters percent-encoded. */
function pkcs11UriValue(value: string): string {
  return Array.from(Buffer.from(value, 'utf8'))
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).padStart(2, '0').toUpperCase()}`;
    })
    .join('');
}

/** GeneralizedTime, as `openssl ca -startdate/-enddate` take it. */
function asn1Time(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
