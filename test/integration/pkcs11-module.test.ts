import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardError, type CardErrorCode, type CardSession } from '../../main/signing/card/card-token.js';
import { cardErrorCode, toCardError } from '../../main/signing/card/pkcs11-errors.js';
import { Pkcs11Module } from '../../main/signing/card/pkcs11-module.js';
import { buildFaultModule, createSoftHsmToken, type SoftHsm, type SoftHsmToken } from '../support/pkcs11-fixture.js';

// Pkcs11Module over SoftHSM2 through pkcs11js, then through the fault module for what SoftHSM2 cannot do
// (lock a PIN, be pulled out, fail). The library reads SOFTHSM2_CONF and FAULT_* from the environment at
// C_Initialize, and a library can be initialised once per process at a time, so each configuration loads,
// runs and closes before the next one is set up. These tests run in order.

const DATA = Buffer.from('<SignedInfo>prescription 1 of 4</SignedInfo>');
/** The build's copy, as a process that is not running the tests would load it (npm test builds first). */
const BUILT_MODULE = path.resolve(import.meta.dirname, '../../dist/main/signing/card/pkcs11-module.js');

/**
 * A worker that stands in for pkcs11-worker.js: it answers the load, leaves every other call unanswered,
 * and a moment after the first one dies of an exception, as a bug in the worker would.
 */
const CRASHING_WORKER = new URL(
  `data:text/javascript,${encodeURIComponent(`
import { parentPort } from 'node:worker_threads';
parentPort.on('message', ({ id, call }) => {
  if (call.op === 'load') {
    parentPort.postMessage({ id, kind: 'done', result: { slotEvents: true } });
  } else {
    setTimeout(() => { throw new Error('the worker broke'); }, 100);
  }
});
`)}`,
);

/** Every outcome a signMany reported, in the order reported. */
async function signAll(
  session: CardSession,
  keyId: Buffer,
  items: Buffer[],
  signal?: AbortSignal,
  onEach?: (index: number) => void,
): Promise<[number, Buffer | CardError][]> {
  const outcomes: [number, Buffer | CardError][] = [];
  expect(typeof session.signMany).toBe('function');
  await session.signMany!(
    'RS256',
    keyId,
    items,
    (index, outcome) => {
      outcomes.push([index, outcome]);
      onEach?.(index);
    },
    signal,
  );
  return outcomes;
}

async function failure(promise: Promise<unknown>): Promise<CardError> {
  const outcome = await promise.then(
    () => new Error('expected a CardError, but the call succeeded'),
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(CardError);
  return outcome as CardError;
}

function expectVerifies(token: SoftHsmToken, algorithm: 'sha256' | 'sha1', data: Buffer, signature: Buffer): void {
  const publicKey = new crypto.X509Certificate(token.certificateDer).publicKey;
  expect(signature).toHaveLength(256);
  expect(crypto.verify(algorithm, data, publicKey, signature)).toBe(true);
  expect(crypto.verify(algorithm, Buffer.concat([data, Buffer.from(' ')]), publicKey, signature)).toBe(false);
}

/** The keyUsage extension's criticality and first byte of bits (0x80 digitalSignature, 0x40 nonRepudiation). */
function keyUsage(der: Buffer): { critical: boolean; bits: number } | null {
  // OID 2.5.29.15, then BOOLEAN TRUE if critical, then OCTET STRING { BIT STRING }.
  const at = der.indexOf(Buffer.from('0603551d0f', 'hex'));
  if (at < 0) {
    return null;
  }
  let next = at + 5;
  const critical = der[next] === 0x01;
  if (critical) {
    next += 3;
  }
  // 04 len 03 len unused-bits bits
  return { critical, bits: der[next + 5]! };
}

async function slotOf(module: Pkcs11Module, label: string): Promise<string> {
  const token = (await module.tokens()).find((t) => t.label === label);
  expect(token, `token ${label}`).toBeDefined();
  return token!.slotId;
}

async function loggedInSession(module: Pkcs11Module, token: SoftHsmToken): Promise<CardSession> {
  const session = await module.openSession(await slotOf(module, token.label));
  await session.login(Buffer.from(token.pin));
  return session;
}

describe('the PKCS#11 error mapping', () => {
  it('gives each CKR_ name the signer acts on its card error, and everything else CARD_FAILED', () => {
    const expected: [string, CardErrorCode][] = [
      ['CKR_TOKEN_NOT_PRESENT', 'CARD_REMOVED'],
      ['CKR_DEVICE_REMOVED', 'CARD_REMOVED'],
      ['CKR_TOKEN_NOT_RECOGNIZED', 'CARD_REMOVED'],
      ['CKR_SLOT_ID_INVALID', 'CARD_REMOVED'],
      ['CKR_PIN_INCORRECT', 'PIN_INCORRECT'],
      ['CKR_PIN_LOCKED', 'PIN_LOCKED'],
      ['CKR_PIN_LEN_RANGE', 'PIN_INVALID'],
      ['CKR_PIN_INVALID', 'PIN_INVALID'],
      ['CKR_DEVICE_ERROR', 'DEVICE_ERROR'],
      ['CKR_DEVICE_MEMORY', 'DEVICE_ERROR'],
      ['CKR_GENERAL_ERROR', 'DEVICE_ERROR'],
      ['CKR_FUNCTION_FAILED', 'DEVICE_ERROR'],
      ['CKR_SESSION_HANDLE_INVALID', 'SESSION_INVALID'],
      ['CKR_SESSION_CLOSED', 'SESSION_INVALID'],
      ['CKR_FUNCTION_CANCELED', 'CANCELLED'],
      ['CKR_MECHANISM_INVALID', 'CARD_FAILED'],
      ['CKR_USER_NOT_LOGGED_IN', 'CARD_FAILED'],
      // Not a CKR_ name at all, and a property of every object.
      ['toString', 'CARD_FAILED'],
    ];
    for (const [ckr, code] of expected) {
      expect([ckr, cardErrorCode(ckr)]).toEqual([ckr, code]);
    }
  });

  it('keeps the CKR_ name and the failing function, and wraps errors that are not PKCS#11 ones', () => {
    const pkcs11Error = (message: string, method: string, code: number) =>
      Object.assign(new Error(message), { name: 'Pkcs11Error', method, code });
    const native = pkcs11Error('CKR_KEY_TYPE_INCONSISTENT', 'C_SignInit', 99);
    expect(toCardError(native, 'sign')).toMatchObject({
      code: 'CARD_FAILED',
      ckr: 'CKR_KEY_TYPE_INCONSISTENT',
      message: 'C_SignInit failed: CKR_KEY_TYPE_INCONSISTENT',
    });
    const vendor = pkcs11Error('CKR_VENDOR_DEFINED', '', 0x80000101);
    expect(toCardError(vendor, 'C_Sign').message).toBe('C_Sign failed: CKR_VENDOR_DEFINED (0x80000101)');
    expect(toCardError(new TypeError('Argument 0 has wrong type'), 'C_Login')).toMatchObject({
      code: 'CARD_FAILED',
      ckr: null,
      message: 'C_Login failed: Argument 0 has wrong type',
    });
  });
});

describe('loading a library', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sc-p11-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('refuses a path with no library, naming it', async () => {
    const missing = path.join(dir, 'no-such-pkcs11.so');
    const error = await failure(Pkcs11Module.load(missing));
    expect(error.code).toBe('MODULE_FAILED');
    expect(error.message).toContain(missing);
  });

  it('refuses a file that is not a shared library, naming it', async () => {
    const notALibrary = path.join(dir, 'notes.so');
    await fs.writeFile(notALibrary, 'not an ELF file\n');
    const error = await failure(Pkcs11Module.load(notALibrary));
    expect(error.code).toBe('MODULE_FAILED');
    expect(error.message).toContain(notALibrary);
  });

  it('refuses a shared library that is not a PKCS#11 one, naming it', async () => {
    // A Node addon: a real shared library, with no C_GetFunctionList.
    const addon = path.resolve(import.meta.dirname, '../../node_modules/pkcs11js/build/Release/pkcs11.node');
    const error = await failure(Pkcs11Module.load(addon));
    expect(error.code).toBe('MODULE_FAILED');
    expect(error.message).toContain(addon);
    expect(error.message).toContain('C_GetFunctionList');
  });

  it('refuses to load a library at all when the worker thread script is missing, naming both', async () => {
    const library = path.join(dir, 'no-worker.so');
    await fs.writeFile(library, '');
    const script = path.join(dir, 'missing', 'pkcs11-worker.js');
    const error = await failure(Pkcs11Module.load(library, { workerScript: pathToFileURL(script) }));
    expect(error.code).toBe('MODULE_FAILED');
    expect(error.message).toContain(library);
    expect(error.message).toContain(script);
  });

  it('fails the calls waiting and every later call, naming the library, when its worker thread dies', async () => {
    const library = path.join(dir, 'crashing.so');
    await fs.writeFile(library, '');
    const module = await Pkcs11Module.load(library, { workerScript: CRASHING_WORKER });
    const waiting = [failure(module.tokens()), failure(module.tokenInfo('1')), failure(module.openSession('1'))];
    for (const error of await Promise.all(waiting)) {
      expect(error).toMatchObject({ code: 'MODULE_FAILED', ckr: null });
      expect(error.message).toBe(
        `The PKCS#11 library ${library} stopped working (the worker broke). Restart the companion to use the card again.`,
      );
    }
    expect(await failure(module.tokens())).toMatchObject({ code: 'MODULE_FAILED' });
    // A waiter is not woken over and over by a library that is gone: it waits out its time.
    const started = Date.now();
    await module.waitForChange(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await module.close();
    // The dead instance is no longer the one handed out.
    const again = await Pkcs11Module.load(library, { workerScript: CRASHING_WORKER });
    expect(again).not.toBe(module);
    await again.close();
  });
});

describe('Pkcs11Module on SoftHSM2', () => {
  let hsm: SoftHsm;
  let module: Pkcs11Module;
  let alice: SoftHsmToken;
  let bob: SoftHsmToken;
  let carol: SoftHsmToken;
  let dave: SoftHsmToken;

  beforeAll(async () => {
    hsm = await createSoftHsmToken({
      users: [
        { label: 'alice', uid: '555000000001', name: 'SANDBOX_CLINICIAN' },
        { label: 'bob', uid: '555000000002', name: 'SANDBOX_NURSE', pin: '24680' },
        { label: 'carol', uid: '555000000003', name: 'SANDBOX_PHARMACIST', privateKeyNeedsLogin: true },
        {
          label: 'dave',
          uid: '555000000004',
          name: 'EXPIRED',
          keyUsage: 'critical,digitalSignature',
          notAfterDays: -10,
        },
      ],
    });
    [alice, bob, carol, dave] = hsm.tokens as [SoftHsmToken, SoftHsmToken, SoftHsmToken, SoftHsmToken];
    Object.assign(process.env, hsm.env);
    module = await Pkcs11Module.load(hsm.module);
  });
  afterAll(async () => {
    await module?.close();
    delete process.env.SOFTHSM2_CONF;
    await hsm?.cleanup();
  });

  it('lists the initialised tokens by label with decimal slot ids and their flags', async () => {
    const tokens = await module.tokens();
    // SoftHSM2's spare uninitialised token is left out.
    expect(tokens.map((t) => t.label).sort()).toEqual(['alice', 'bob', 'carol', 'dave']);
    for (const token of tokens) {
      expect(token.slotId).toMatch(/^\d+$/);
      expect(token.serialNumber).toMatch(/^[0-9a-f]{16}$/);
      expect(token.manufacturer).toBe('SoftHSM project');
      expect(token.flags).toEqual({
        pinCountLow: false,
        pinFinalTry: false,
        pinLocked: false,
        protectedAuthenticationPath: false,
      });
      // SoftHSM2's own limits, read from CK_TOKEN_INFO.
      expect(token.pinLength).toEqual({ min: 4, max: 255 });
      expect(await module.tokenInfo(token.slotId)).toEqual(token);
    }
  });

  it('has certificates from the test CA with the subject, key usage and validity asked for', () => {
    const ca = new crypto.X509Certificate(hsm.caCertificatePem);
    const good = new crypto.X509Certificate(alice.certificateDer);
    const expired = new crypto.X509Certificate(dave.certificateDer);
    expect(good.checkIssued(ca) && good.verify(ca.publicKey)).toBe(true);
    expect(expired.checkIssued(ca) && expired.verify(ca.publicKey)).toBe(true);
    expect(expired.subject).toBe('CN=555000000004_EXPIRED');
    expect(Date.parse(good.validFrom)).toBeLessThan(Date.now());
    expect(Date.parse(good.validTo)).toBeGreaterThan(Date.now() + 364 * 86_400_000);
    expect(Date.parse(expired.validTo)).toBeLessThan(Date.now() - 9 * 86_400_000);
    expect(Date.parse(expired.validFrom)).toBeLessThan(Date.parse(expired.validTo));
    expect(keyUsage(alice.certificateDer)).toEqual({ critical: true, bits: 0b01000000 });
    expect(keyUsage(dave.certificateDer)).toEqual({ critical: true, bits: 0b10000000 });
  });

  it('loads a library once per process', async () => {
    expect(await Pkcs11Module.load(hsm.module)).toBe(module);
  });

  it('reads the certificate with its CKA_ID, and finds the private key by that id without logging in', async () => {
    const session = await module.openSession(await slotOf(module, 'alice'));
    const certificates = await session.certificates();
    expect(certificates).toHaveLength(1);
    expect(certificates[0]!.id.toString('hex')).toBe(alice.keyId);
    expect(certificates[0]!.label).toBe('signcert');
    expect(certificates[0]!.der.equals(alice.certificateDer)).toBe(true);
    expect(new crypto.X509Certificate(certificates[0]!.der).subject).toBe('CN=555000000001_SANDBOX_CLINICIAN');
    expect(await session.hasPrivateKey(Buffer.from(alice.keyId, 'hex'))).toBe(true);
    expect(await session.hasPrivateKey(Buffer.from('77', 'hex'))).toBe(false);
    await session.close();
  });

  it('finds a private key that is CKA_PRIVATE only after logging in', async () => {
    const session = await module.openSession(await slotOf(module, 'carol'));
    const keyId = Buffer.from(carol.keyId, 'hex');
    expect(await session.hasPrivateKey(keyId)).toBe(false);
    await session.login(Buffer.from(carol.pin));
    expect(await session.hasPrivateKey(keyId)).toBe(true);
    expectVerifies(carol, 'sha256', DATA, await session.sign('RS256', keyId, DATA));
    await session.close();
  });

  it('reports a wrong PIN, and the token then shows a failed attempt until a good login', async () => {
    const slot = await slotOf(module, 'bob');
    const session = await module.openSession(slot);
    const error = await failure(session.login(Buffer.from('0000')));
    expect(error).toMatchObject({ code: 'PIN_INCORRECT', ckr: 'CKR_PIN_INCORRECT' });
    expect(error.message).toBe('C_Login failed: CKR_PIN_INCORRECT');
    expect((await module.tokenInfo(slot)).flags.pinCountLow).toBe(true);
    // SoftHSM2 never sets these: see the fault module tests.
    expect((await module.tokenInfo(slot)).flags.pinFinalTry).toBe(false);

    await session.login(Buffer.from(bob.pin));
    expect((await module.tokenInfo(slot)).flags.pinCountLow).toBe(false);
    await session.close();
  });

  it('signs RS256 and RS1 with the key of the certificate, verifiable with its public key', async () => {
    const session = await loggedInSession(module, alice);
    const keyId = Buffer.from(alice.keyId, 'hex');
    expectVerifies(alice, 'sha256', DATA, await session.sign('RS256', keyId, DATA));
    expectVerifies(alice, 'sha1', DATA, await session.sign('RS1', keyId, DATA));
    await session.close();
  });

  it('takes overlapping signatures on one session one at a time', async () => {
    const session = await loggedInSession(module, alice);
    const keyId = Buffer.from(alice.keyId, 'hex');
    const inputs = [0, 1, 2, 3, 4].map((n) => Buffer.from(`item ${n}`));
    const signatures = await Promise.all(inputs.map((data) => session.sign('RS256', keyId, data)));
    signatures.forEach((signature, n) => expectVerifies(alice, 'sha256', inputs[n]!, signature));
    await session.close();
  });

  it('logs out when a logged-in session closes', async () => {
    // Only a CKA_PRIVATE key shows whether SoftHSM2 is logged in: it signs with the others regardless.
    const keyId = Buffer.from(carol.keyId, 'hex');
    const first = await loggedInSession(module, carol);
    const second = await module.openSession(await slotOf(module, 'carol'));
    expect(await second.hasPrivateKey(keyId)).toBe(true);
    await first.close();
    expect(await second.hasPrivateKey(keyId)).toBe(false);
    await second.close();
    await second.close();
    expect(await failure(second.certificates())).toMatchObject({ code: 'SESSION_INVALID' });
  });

  it('treats a second login on the token (another session) as success', async () => {
    const first = await loggedInSession(module, alice);
    const second = await loggedInSession(module, alice);
    expectVerifies(alice, 'sha256', DATA, await second.sign('RS256', Buffer.from(alice.keyId, 'hex'), DATA));
    await second.close();
    await first.close();
  });

  it('refuses a key id the card does not have, a slot id that names no slot and one that is not a number', async () => {
    const session = await loggedInSession(module, alice);
    const noKey = await failure(session.sign('RS256', Buffer.from('77', 'hex'), DATA));
    expect(noKey).toMatchObject({ code: 'CARD_FAILED', ckr: null });
    await session.close();
    const noSlot = await failure(module.tokenInfo('4294967299'));
    expect(noSlot).toMatchObject({ code: 'CARD_REMOVED', ckr: 'CKR_SLOT_ID_INVALID' });
    expect(await failure(module.openSession('slot-1'))).toMatchObject({ code: 'CARD_FAILED' });
  });

  it('waits for a change until the timeout when nothing changes', async () => {
    await module.tokens();
    const started = Date.now();
    await module.waitForChange(700);
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
  });

  it('signs a batch in one request, reporting each signature in order', async () => {
    const session = await loggedInSession(module, alice);
    const keyId = Buffer.from(alice.keyId, 'hex');
    const inputs = Array.from({ length: 20 }, (_, n) => Buffer.from(`<SignedInfo>item ${n}</SignedInfo>`));
    const outcomes = await signAll(session, keyId, inputs);
    expect(outcomes.map(([index]) => index)).toEqual(inputs.map((_, n) => n));
    for (const [index, signature] of outcomes) {
      expect(signature).toBeInstanceOf(Buffer);
      expectVerifies(alice, 'sha256', inputs[index]!, signature as Buffer);
    }
    // The caller's buffers are only read.
    expect(inputs[3]!.toString()).toBe('<SignedInfo>item 3</SignedInfo>');
    await session.close();
    expect(await failure(session.signMany!('RS256', keyId, inputs, () => undefined))).toMatchObject({
      code: 'SESSION_INVALID',
    });
  });

  it('leaves the process free to exit when the library is idle, even if nobody closes it', async () => {
    const script = [
      `import { Pkcs11Module } from ${JSON.stringify(pathToFileURL(BUILT_MODULE).href)};`,
      'const module = await Pkcs11Module.load(process.argv[1]);',
      'console.log((await module.tokens()).length);',
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, hsm.module], {
      env: { ...process.env, ...hsm.env },
      timeout: 15_000,
    });
    expect(stdout.trim()).toBe('4');
  });
});

describe('Pkcs11Module through the fault module', () => {
  let library: string;
  let hsm: SoftHsm;
  let alice: SoftHsmToken;
  let keyId: Buffer;

  beforeAll(async () => {
    [library, hsm] = await Promise.all([
      buildFaultModule(),
      createSoftHsmToken({ users: [{ label: 'alice', uid: '555000000001', name: 'SANDBOX_CLINICIAN', pin: '1357' }] }),
    ]);
    alice = hsm.tokens[0]!;
    keyId = Buffer.from(alice.keyId, 'hex');
  });
  afterAll(async () => {
    await hsm?.cleanup();
  });

  /** Loads the fault module with this configuration, runs `test`, and always finalizes it. */
  async function withFaults(
    faults: Record<string, string>,
    test: (module: Pkcs11Module) => Promise<void>,
  ): Promise<void> {
    const env = { ...hsm.env, FAULT_PKCS11_TARGET: hsm.module, ...faults };
    Object.assign(process.env, env);
    const module = await Pkcs11Module.load(library);
    try {
      await test(module);
    } finally {
      await module.close();
      for (const name of Object.keys(env)) {
        delete process.env[name];
      }
    }
  }

  it('counts down the tries: count low, final try, locked, then refuses even the right PIN', async () => {
    const state = path.join(hsm.dir, 'tries');
    await withFaults({ FAULT_PIN_TRIES: '3', FAULT_STATE_FILE: state }, async (module) => {
      const slot = await slotOf(module, 'alice');
      const flags = async () => (await module.tokenInfo(slot)).flags;
      const session = await module.openSession(slot);
      expect(await flags()).toMatchObject({ pinCountLow: false, pinFinalTry: false, pinLocked: false });

      // A good login gives the tries back.
      expect(await failure(session.login(Buffer.from('0000')))).toMatchObject({ code: 'PIN_INCORRECT' });
      expect(await flags()).toMatchObject({ pinCountLow: true, pinFinalTry: false });
      await session.login(Buffer.from(alice.pin));
      await session.logout();
      expect(await flags()).toMatchObject({ pinCountLow: false, pinFinalTry: false });

      expect(await failure(session.login(Buffer.from('0000')))).toMatchObject({ code: 'PIN_INCORRECT' });
      expect(await flags()).toMatchObject({ pinCountLow: true, pinFinalTry: false, pinLocked: false });
      expect(await failure(session.login(Buffer.from('1111')))).toMatchObject({ code: 'PIN_INCORRECT' });
      expect(await flags()).toMatchObject({ pinCountLow: true, pinFinalTry: true, pinLocked: false });
      expect(await failure(session.login(Buffer.from('2222')))).toMatchObject({ code: 'PIN_INCORRECT' });
      expect(await flags()).toMatchObject({ pinFinalTry: false, pinLocked: true });
      const locked = await failure(session.login(Buffer.from(alice.pin)));
      expect(locked).toMatchObject({ code: 'PIN_LOCKED', ckr: 'CKR_PIN_LOCKED' });
      await session.close();
    });
    expect((await fs.readFile(state, 'utf8')).trim()).toBe('0');

    // The state file outlives the process's view of the card, as a real card's counter does.
    await withFaults({ FAULT_PIN_TRIES: '3', FAULT_STATE_FILE: state }, async (module) => {
      const slot = await slotOf(module, 'alice');
      expect((await module.tokenInfo(slot)).flags.pinLocked).toBe(true);
      const session = await module.openSession(slot);
      expect(await failure(session.login(Buffer.from(alice.pin)))).toMatchObject({ code: 'PIN_LOCKED' });
      await session.close();
    });
  });

  it('reports the card pulled out at the third signature, and no longer lists it', async () => {
    await withFaults({ FAULT_REMOVE_AT_SIGN: '3' }, async (module) => {
      const slot = await slotOf(module, 'alice');
      const session = await loggedInSession(module, alice);
      expectVerifies(alice, 'sha256', DATA, await session.sign('RS256', keyId, DATA));
      expectVerifies(alice, 'sha256', DATA, await session.sign('RS256', keyId, DATA));
      const removed = await failure(session.sign('RS256', keyId, DATA));
      expect(removed).toMatchObject({ code: 'CARD_REMOVED', ckr: 'CKR_DEVICE_REMOVED' });

      expect(await failure(session.sign('RS256', keyId, DATA))).toMatchObject({ code: 'CARD_REMOVED' });
      expect(await module.tokens()).toEqual([]);
      const absent = await failure(module.tokenInfo(slot));
      expect(absent).toMatchObject({ code: 'CARD_REMOVED', ckr: 'CKR_TOKEN_NOT_PRESENT' });
      expect(await failure(module.openSession(slot))).toMatchObject({ code: 'CARD_REMOVED' });
      await session.close();
    });
  });

  it('wakes a waiter soon after the card is pulled out (C_WaitForSlotEvent)', async () => {
    await withFaults({ FAULT_REMOVE_AT_SIGN: '1' }, async (module) => {
      const session = await loggedInSession(module, alice);
      await module.tokens();
      let woken = 0;
      const waiting = module.waitForChange(20_000).then(() => (woken = Date.now()));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(woken).toBe(0);
      const removedAt = Date.now();
      expect(await failure(session.sign('RS256', keyId, DATA))).toMatchObject({ code: 'CARD_REMOVED' });
      await waiting;
      expect(woken - removedAt).toBeLessThan(1500);
      await session.close();
    });
  });

  it('falls back to comparing token lists every 2 s when the library has no slot events', async () => {
    await withFaults({ FAULT_REMOVE_AT_SIGN: '1', FAULT_NO_SLOT_EVENTS: '1' }, async (module) => {
      const session = await loggedInSession(module, alice);
      await module.tokens();
      const quiet = Date.now();
      await module.waitForChange(300);
      expect(Date.now() - quiet).toBeGreaterThanOrEqual(250);

      let woken = 0;
      const waiting = module.waitForChange(20_000).then(() => (woken = Date.now()));
      const removedAt = Date.now();
      expect(await failure(session.sign('RS256', keyId, DATA))).toMatchObject({ code: 'CARD_REMOVED' });
      await waiting;
      expect(woken - removedAt).toBeLessThan(3000);
      await session.close();
    });
  });

  it('needs a login to sign, and logs out when a logged-in session closes', async () => {
    await withFaults({}, async (module) => {
      const first = await loggedInSession(module, alice);
      expectVerifies(alice, 'sha256', DATA, await first.sign('RS256', keyId, DATA));
      await first.close();
      const second = await module.openSession(await slotOf(module, 'alice'));
      expect(await second.hasPrivateKey(keyId)).toBe(true);
      expect(await failure(second.sign('RS256', keyId, DATA))).toMatchObject({
        code: 'CARD_FAILED',
        ckr: 'CKR_USER_NOT_LOGGED_IN',
        message: 'C_SignInit failed: CKR_USER_NOT_LOGGED_IN',
      });
      await second.close();
    });
  });

  it('reports a device error once, after which signing works', async () => {
    await withFaults({ FAULT_DEVICE_ERROR_AT_SIGN: '2' }, async (module) => {
      const session = await loggedInSession(module, alice);
      expectVerifies(alice, 'sha256', DATA, await session.sign('RS256', keyId, DATA));
      const deviceError = await failure(session.sign('RS256', keyId, DATA));
      expect(deviceError).toMatchObject({ code: 'DEVICE_ERROR', ckr: 'CKR_DEVICE_ERROR' });
      expectVerifies(alice, 'sha256', DATA, await session.sign('RS256', keyId, DATA));
      await session.close();
    });
  });

  it('reports a lost session, and a new session signs after logging in again', async () => {
    await withFaults({ FAULT_SESSION_INVALID_AT_SIGN: '1' }, async (module) => {
      const session = await loggedInSession(module, alice);
      expect(await failure(session.sign('RS256', keyId, DATA))).toMatchObject({
        code: 'SESSION_INVALID',
        ckr: 'CKR_SESSION_HANDLE_INVALID',
      });
      expect(await failure(session.sign('RS256', keyId, DATA))).toMatchObject({ code: 'SESSION_INVALID' });
      await session.close();
      const fresh = await loggedInSession(module, alice);
      expectVerifies(alice, 'sha256', DATA, await fresh.sign('RS256', keyId, DATA));
      await fresh.close();
    });
  });

  it('logs in through a PIN pad: no PIN from us, the login returns when the user has typed it', async () => {
    const pinPad = { FAULT_PIN_PAD: '1', FAULT_PIN_PAD_PIN: alice.pin, FAULT_PIN_PAD_DELAY_MS: '400' };
    await withFaults(pinPad, async (module) => {
      const slot = await slotOf(module, 'alice');
      expect((await module.tokenInfo(slot)).flags.protectedAuthenticationPath).toBe(true);
      const session = await module.openSession(slot);
      const started = Date.now();
      await session.login(null);
      expect(Date.now() - started).toBeGreaterThanOrEqual(380);
      expectVerifies(alice, 'sha256', DATA, await session.sign('RS256', keyId, DATA));
      await session.close();
    });
  });

  it('reports a PIN pad entry the user cancelled', async () => {
    await withFaults({ FAULT_PIN_PAD: '1' }, async (module) => {
      const session = await module.openSession(await slotOf(module, 'alice'));
      expect(await failure(session.login(null))).toMatchObject({ code: 'CANCELLED', ckr: 'CKR_FUNCTION_CANCELED' });
      await session.close();
    });
  });

  it('keeps the event loop running while the card signs', async () => {
    await withFaults({ FAULT_SIGN_DELAY_MS: '400' }, async (module) => {
      const session = await loggedInSession(module, alice);
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 20);
      try {
        expectVerifies(alice, 'sha256', DATA, await session.sign('RS256', keyId, DATA));
      } finally {
        clearInterval(ticker);
      }
      expect(ticks).toBeGreaterThanOrEqual(5);
      await session.close();
    });
  });

  it('keeps the event loop running while the clinician types on the PIN pad', async () => {
    const pinPad = { FAULT_PIN_PAD: '1', FAULT_PIN_PAD_PIN: alice.pin, FAULT_PIN_PAD_DELAY_MS: '1000' };
    await withFaults(pinPad, async (module) => {
      const session = await module.openSession(await slotOf(module, 'alice'));
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 20);
      let loggedIn = false;
      const login = session.login(null).then(() => {
        loggedIn = true;
      });
      try {
        // Timers fire while C_Login waits for the keypad; a waiter's timeout is kept though the check it
        // asked for is queued behind the login.
        const started = Date.now();
        await module.waitForChange(200);
        expect(Date.now() - started).toBeLessThan(800);
        expect(loggedIn).toBe(false);
        await login;
      } finally {
        clearInterval(ticker);
      }
      expect(ticks).toBeGreaterThanOrEqual(25);
      expectVerifies(alice, 'sha256', DATA, await session.sign('RS256', keyId, DATA));
      await session.close();
    });
  });

  it('loads a library once when two callers ask at the same time', async () => {
    const env = { ...hsm.env, FAULT_PKCS11_TARGET: hsm.module };
    Object.assign(process.env, env);
    try {
      const [first, second] = await Promise.all([Pkcs11Module.load(library), Pkcs11Module.load(library)]);
      expect(second).toBe(first);
      expect(await first.tokens()).toHaveLength(1);
      await first.close();
    } finally {
      for (const name of Object.keys(env)) {
        delete process.env[name];
      }
    }
  });

  it('stops a batch at the card pulled out, reporting that as its last outcome', async () => {
    await withFaults({ FAULT_REMOVE_AT_SIGN: '3' }, async (module) => {
      const session = await loggedInSession(module, alice);
      const inputs = [0, 1, 2, 3, 4].map((n) => Buffer.from(`item ${n}`));
      const outcomes = await signAll(session, keyId, inputs);
      expect(outcomes.map(([index]) => index)).toEqual([0, 1, 2]);
      expectVerifies(alice, 'sha256', inputs[1]!, outcomes[1]![1] as Buffer);
      expect(outcomes[2]![1]).toBeInstanceOf(CardError);
      expect(outcomes[2]![1]).toMatchObject({ code: 'CARD_REMOVED', ckr: 'CKR_DEVICE_REMOVED' });
      await session.close();
    });
  });

  it('stops a batch when asked, after the signature under way, and reports nothing more', async () => {
    await withFaults({ FAULT_SIGN_DELAY_MS: '100' }, async (module) => {
      const session = await loggedInSession(module, alice);
      const inputs = Array.from({ length: 10 }, (_, n) => Buffer.from(`item ${n}`));
      const stop = new AbortController();
      const started = Date.now();
      const outcomes = await signAll(session, keyId, inputs, stop.signal, () => stop.abort());
      expect(outcomes.map(([index]) => index)).toEqual([0]);
      expect(Date.now() - started).toBeLessThan(800);
      // The session is free again at once, and in order.
      expectVerifies(alice, 'sha256', DATA, await session.sign('RS256', keyId, DATA));

      const thrown = new Error('the caller failed');
      const failing = session.signMany!('RS256', keyId, inputs, () => {
        throw thrown;
      });
      await expect(failing).rejects.toBe(thrown);
      await session.close();
    });
  });

  it('finishes an in-flight signature before closing, then refuses further calls', async () => {
    await withFaults({ FAULT_SIGN_DELAY_MS: '300' }, async (module) => {
      const session = await loggedInSession(module, alice);
      const signing = session.sign('RS256', keyId, DATA);
      await module.close();
      expectVerifies(alice, 'sha256', DATA, await signing);
      expect(await failure(module.tokens())).toMatchObject({ code: 'MODULE_FAILED' });
      expect(await failure(session.sign('RS256', keyId, DATA))).toMatchObject({ code: 'SESSION_INVALID' });
    });
  });
});
