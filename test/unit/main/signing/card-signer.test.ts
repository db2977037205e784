import { verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../../main/platform/logger.js';
import { CardSigner } from '../../../../main/signing/card/card-signer.js';
import type { CardModule } from '../../../../main/signing/card/card-token.js';
import { SoftwareTestCard } from '../../../../main/signing/sandbox/software-card.js';
import { SigningError } from '../../../../main/signing/signing-error.js';

const clinician = { uid: '555000000001', name: 'Sandbox Clinician' };
const someoneElse = { uid: '555000000099', name: 'Other Prescriber' };

function signerWith(card: SoftwareTestCard, problems: string[] = []): CardSigner {
  return new CardSigner({ modules: () => Promise.resolve({ modules: [card], problems }) }, createMemoryLogger());
}

describe('CardSigner on the sandbox software card', () => {
  it("refuses another clinician's card before asking for a passcode", async () => {
    const card = new SoftwareTestCard({ user: clinician, pin: '1234' });
    const refused = await signerWith(card).open(someoneElse).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SigningError);
    expect(refused).toMatchObject({ code: 'CARD_USER_MISMATCH' });
    expect((refused as Error).message).toContain('SANDBOX CLINICIAN (UID 555000000001)');
    expect((refused as Error).message).toContain('Other Prescriber (UID 555000000099)');
  });

  it('says CARD_ABSENT with the module problems when there is no token at all', async () => {
    const signer = new CardSigner({ modules: () => Promise.resolve({ modules: [], problems: ['The smartcard library /x.so named in the machine policy does not exist.'] }) }, createMemoryLogger());
    await expect(signer.open(clinician)).rejects.toMatchObject({ code: 'CARD_ABSENT', message: expect.stringContaining('/x.so') as string });
    expect(await signer.availability()).toEqual({ available: false, reason: 'The smartcard library /x.so named in the machine policy does not exist.' });
  });

  it('counts wrong passcodes down to a locked card', async () => {
    const card = new SoftwareTestCard({ user: clinician, pin: '1234', tries: 3 });
    const signing = await signerWith(card).open(clinician);
    expect(await signing.passcodeState()).toEqual({ pinPad: false, countLow: false, finalTry: false, minLength: 4, maxLength: 8 });
    const first = await signing.login(Buffer.from('0000'));
    expect(first).toMatchObject({ ok: false, reason: 'incorrect', state: { countLow: true, finalTry: false } });
    const second = await signing.login(Buffer.from('0000'));
    expect(second).toMatchObject({ ok: false, state: { finalTry: true } });
    expect(second.ok ? '' : second.message).toMatch(/1 try left/);
    await expect(signing.login(Buffer.from('0000'))).rejects.toMatchObject({ code: 'PIN_LOCKED' });
    await expect(signing.passcodeState()).rejects.toMatchObject({ code: 'PIN_LOCKED' });
    await signing.end();
  });

  it('signs with RS256 and RS1, each signature checked against the certificate, and logs out at the end', async () => {
    const card = new SoftwareTestCard({ user: clinician, pin: '1234' });
    const signing = await signerWith(card).open(clinician);
    const pin = Buffer.from('1234');
    expect(await signing.login(pin)).toEqual({ ok: true });
    const data = Buffer.from('<SignedInfo xmlns="http://www.w3.org/2000/09/xmldsig#"></SignedInfo>');
    const publicKey = signing.certificate.facts.certificate.publicKey;
    expect(verify('sha256', data, publicKey, await signing.sign(data, 'RS256'))).toBe(true);
    expect(verify('sha1', data, publicKey, await signing.sign(data, 'RS1'))).toBe(true);
    await signing.end();
    await expect(signing.sign(data, 'RS256')).rejects.toMatchObject({ code: 'CARD_ERROR' });
  });

  it('reports the software card as available, and a successful login resets the count', async () => {
    const card = new SoftwareTestCard({ user: clinician, pin: '1234' });
    expect(await signerWith(card).availability()).toEqual({ available: true });
    const signing = await signerWith(card).open(clinician);
    await signing.login(Buffer.from('9999'));
    expect(await signing.login(Buffer.from('1234'))).toEqual({ ok: true });
    expect(await signing.passcodeState()).toEqual({ pinPad: false, countLow: false, finalTry: false, minLength: 4, maxLength: 8 });
    await signing.end();
  });
});

describe('CardSigner with several usable certificates', () => {
  it('offers each, and signs with the one the clinician chose', async () => {
    const first = new SoftwareTestCard({ user: clinician, pin: '1234' });
    const second = new SoftwareTestCard({ user: clinician, pin: '1234' });
    const signer = new CardSigner({ modules: () => Promise.resolve({ modules: [first, second], problems: [] }) }, createMemoryLogger());
    const signing = await signer.open(clinician);
    expect(signing.candidates).toHaveLength(2);
    const [a, b] = signing.candidates;
    expect(a!.key).not.toBe(b!.key);
    expect(signing.choose(b!.key)).toBe(true);
    expect(signing.choose('no-such-card')).toBe(false);
    expect(await signing.login(Buffer.from('1234'))).toEqual({ ok: true });
    // Once logged in, the choice is fixed.
    expect(signing.choose(a!.key)).toBe(false);
    const data = Buffer.from('<SignedInfo/>');
    const signature = await signing.sign(data, 'RS256');
    expect(verify('sha256', data, b!.facts.certificate.publicKey, signature)).toBe(true);
    expect(verify('sha256', data, a!.facts.certificate.publicKey, signature)).toBe(false);
    await signing.end();
  });
});

describe('passcode length', () => {
  it("reports the card's lengths, so the window can refuse a passcode of the wrong length before the card sees it", async () => {
    const card = new SoftwareTestCard({ user: clinician, pin: '1234' });
    const signing = await signerWith(card).open(clinician);
    expect(await signing.passcodeState()).toMatchObject({ minLength: 4, maxLength: 8 });
    await signing.end();
  });
});


describe('broken middleware', () => {
  /** The sandbox card behind middleware that corrupts the signatures it is told to. */
  function corrupting(card: SoftwareTestCard, corrupt: (n: number) => boolean): CardModule {
    let n = 0;
    return {
      name: 'corrupting middleware',
      tokens: () => card.tokens(),
      tokenInfo: (slot) => card.tokenInfo(slot),
      waitForChange: (ms) => card.waitForChange(ms),
      close: () => card.close(),
      openSession: async (slot) => {
        const session = await card.openSession(slot);
        return {
          ...session,
          sign: async (mechanism, keyId, data) => {
            const signature = await session.sign(mechanism, keyId, data);
            if (corrupt(++n)) {
              signature[0] = (signature[0] ?? 0) ^ 0xff;
            }
            return signature;
          },
        };
      },
    };
  }

  it('a signature that does not verify is made once more; one that never verifies is SIGNATURE_INVALID', async () => {
    const data = Buffer.from('<SignedInfo/>');
    const once = await new CardSigner({ modules: () => Promise.resolve({ modules: [corrupting(new SoftwareTestCard({ user: clinician, pin: '1234' }), (n) => n === 1)], problems: [] }) }, createMemoryLogger()).open(clinician);
    await once.login(Buffer.from('1234'));
    expect(once.verifies(data, 'RS256', await once.sign(data, 'RS256'))).toBe(true);
    await once.end();

    const always = await new CardSigner({ modules: () => Promise.resolve({ modules: [corrupting(new SoftwareTestCard({ user: clinician, pin: '1234' }), () => true)], problems: [] }) }, createMemoryLogger()).open(clinician);
    await always.login(Buffer.from('1234'));
    await expect(always.sign(data, 'RS256')).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(await always.signAgain(data, 'RS256')).toBeNull();
    await always.end();
  });
});
