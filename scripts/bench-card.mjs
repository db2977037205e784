// Card benchmark: a batch of 250 prescriptions through the whole path (pipe, parse, digest, PKCS#11
// sign, verify, XML-DSig, answer) against a bare pkcs11js C_Sign loop over the same 250 SignedInfos on
// the same SoftHSM2 token, in the same run. Target: the whole path at least half the bare rate.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROUNDS = 5;
const BATCH = 250;

/** The test suite's SoftHSM fixture, compiled for this run (it is TypeScript, and only tests ship it). */
async function loadFixture(root) {
  const ts = (await import('typescript')).default;
  const source = fs.readFileSync(path.join(root, 'test/support/pkcs11-fixture.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  // Under the package, so that `pkcs11js` resolves and the fixture finds test/pkcs11 two folders up.
  const out = path.join(root, 'dist/bench/pkcs11-fixture.mjs');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, outputText);
  return import(pathToFileURL(out).href);
}

export async function benchCard(root) {
  const { createSoftHsmToken, SOFTHSM_MODULE } = await loadFixture(root);
  const hsm = await createSoftHsmToken({ users: [{ label: 'BENCH CARD', uid: '555000000011', name: 'BENCH_CLINICIAN', pin: '123456' }] });
  Object.assign(process.env, hsm.env);
  try {
    const corpus = process.env.EPS_CONFORMANCE_DIR ?? path.resolve(root, '..', 'shared', 'conformance', 'eps');
    const cases = fs.readdirSync(path.join(corpus, 'prepare')).map((name) => {
      const dir = path.join(corpus, 'prepare', name);
      const response = JSON.parse(fs.readFileSync(path.join(dir, 'prepare-response.json'), 'utf8'));
      const value = (key) => response.parameter.find((p) => p.name === key).valueString;
      return { content: fs.readFileSync(path.join(dir, 'prepare-request.json'), 'utf8'), prepared: { digest: value('digest'), timestamp: value('timestamp'), algorithm: value('algorithm') } };
    });
    const batch = Array.from({ length: BATCH }, (_, i) => ({ id: `rx-${i}`, format: 'fhir-bundle', ...cases[i % cases.length] }));

    const bare = await bareSignLoop(SOFTHSM_MODULE, hsm.tokens[0], batch.map((item) => Buffer.from(item.prepared.digest, 'base64')), batch.map((item) => item.prepared.algorithm));
    const whole = await wholePath(root, SOFTHSM_MODULE, batch);
    const rate = (ms) => (BATCH / (ms / 1000)).toFixed(0);
    console.log(`card batch of ${BATCH} (SoftHSM2, RSA-2048), median of ${ROUNDS}:`);
    console.log(`  baseline: bare pkcs11js C_Sign loop   ${bare.toFixed(0).padStart(6)} ms   ${rate(bare)} signatures/s`);
    console.log(`  signing.sign over the pipe            ${whole.toFixed(0).padStart(6)} ms   ${rate(whole)} prescriptions/s   ratio ${(bare / whole).toFixed(2)} of the bare rate   (target ≥ 0.5)`);
  } finally {
    await hsm.cleanup();
  }
}

/** What the card alone can do: one session, one login, C_Sign over each SignedInfo. */
async function bareSignLoop(module, token, signedInfos, algorithms) {
  const pkcs11js = (await import('pkcs11js')).default;
  const p11 = new pkcs11js.PKCS11();
  p11.load(module);
  p11.C_Initialize();
  try {
    const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === token.label);
    const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    p11.C_Login(session, pkcs11js.CKU_USER, token.pin);
    p11.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_ID, value: Buffer.from(token.keyId, 'hex') }]);
    const [key] = p11.C_FindObjects(session, 1);
    p11.C_FindObjectsFinal(session);
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < signedInfos.length; i++) {
        const mechanism = algorithms[i] === 'RS1' ? pkcs11js.CKM_SHA1_RSA_PKCS : pkcs11js.CKM_SHA256_RSA_PKCS;
        p11.C_SignInit(session, { mechanism }, key);
        p11.C_Sign(session, signedInfos[i], Buffer.alloc(512));
      }
      rounds.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    p11.C_Logout(session);
    p11.C_CloseSession(session);
    return rounds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
  } finally {
    // Leaves the library free for the companion to initialise in this same process.
    p11.C_Finalize();
  }
}

/**
 * The same batch as a prescribing system sends it, to the companion running as its own process (as it is
 * deployed: the prescribing system in one process, the companion in another), with sandbox automation
 * approving.
 */
async function wholePath(root, module, batch) {
  const { spawn } = await import('node:child_process');
  const { CompanionClient } = await import(path.join(root, 'dist/main/client/companion-client.js'));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-bench-card-'));
  const policyFile = path.join(home, 'policy.json');
  fs.writeFileSync(
    policyFile,
    JSON.stringify({
      environment: 'sandbox',
      pkcs11: { modules: [module] },
      sandbox: { autoApprove: true, cardPin: '123456', user: { uid: '555000000011', name: 'Bench Clinician' } },
    }),
  );
  const env = { ...process.env, SIGNING_COMPANION_HOME: home, SIGNING_COMPANION_POLICY: policyFile, DBUS_SESSION_BUS_ADDRESS: 'disabled:' };
  const child = spawn(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROF] : []), path.join(root, 'dist/main/cli/index.js'), 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('Press Ctrl-C to stop.')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the companion exited (${code}) before it was ready`)));
    });
    const endpoint = JSON.parse(fs.readFileSync(path.join(home, 'run', 'companion.json'), 'utf8')).pipe;
    const info = { name: 'Bench EPR', version: '1' };
    const pairing = await CompanionClient.connect(info, endpoint);
    await pairing.hello();
    const credentials = await pairing.pair();
    await pairing.close();
    const client = await CompanionClient.connect(info, endpoint);
    await client.prove(credentials);
    await client.signIn();
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      const start = process.hrtime.bigint();
      const results = await client.sign({ prescriptions: batch, signer: 'card' });
      rounds.push(Number(process.hrtime.bigint() - start) / 1e6);
      const signed = results.filter((r) => r.status === 'signed').length;
      if (signed !== batch.length) {
        throw new Error(`only ${signed} of ${batch.length} were signed: ${JSON.stringify(results.find((r) => r.status !== 'signed'))}`);
      }
    }
    await client.close();
    return rounds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
  } finally {
    child.kill('SIGINT');
    await exited;
    fs.rmSync(home, { recursive: true, force: true });
  }
}
