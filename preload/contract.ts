/**
 * The one typed contract between the clinician's window and the core.
 *
 * Both hosts implement it: the Electron preload over IPC, and the headless host's bridge over a loopback
 * WebSocket. The renderer sees only `CompanionApi` on `window.companion` and cannot tell the two apart.
 * This file has no imports so that every side (Node, page, bundle) can include it as it is.
 */

export type EnvironmentName = 'sandbox' | 'int' | 'live' | 'custom';

export interface EnvironmentView {
  name: EnvironmentName;
  label: string;
  clinicalUse: boolean;
  /** A banner shown on every screen when the environment is not for clinical use. */
  notice: string | null;
}

export interface SessionView {
  signedIn: boolean;
  user: { uid: string; name: string; roleId: string; roleName: string } | null;
  /** When the session ends (ISO 8601). */
  expiresAt: string | null;
  /** An application asked for sign-in: the window asks the clinician. */
  signInRequested: boolean;
  /** Sign-in cannot happen here, and why (no CIS2 configured). */
  signInUnavailable: string | null;
}

/**
 * One prescription as the clinician reads it: every value comes from the content that is signed.
 * It mirrors the core's DisplayModel because this file imports nothing; the signing service assigns one
 * to the other, so the compiler keeps them in step.
 */
export interface PrescriptionView {
  patient: {
    name: string;
    nhsNumber: string;
    nhsNumberValid: boolean;
    dateOfBirth: string;
    gender: string;
    address: string[];
    telephone: string[];
    gpPracticeOds: string;
  };
  prescriber: {
    name: string;
    professionalCode: string;
    jobRoleCode: string | null;
    sdsRoleProfileId: string;
    telephone: string | null;
    organisation: { name: string; odsCode: string; address: string[]; telephone: string | null };
    parentOrganisation: { name: string; odsCode: string } | null;
  };
  prescription: {
    id: string;
    shortFormId: string | null;
    shortFormIdValid: boolean | null;
    treatmentType: string | null;
    nominatedPharmacyOds: string | null;
  };
  items: {
    medicine: string;
    dmdCode: string;
    quantity: string;
    unit: string;
    dosage: string;
    additionalInstructions: string;
    controlledDrug: { schedule: string | null; quantityInWords: string | null } | null;
    endorsements: string[];
    issues: number | null;
  }[];
  patientInformation: string[];
  currentMedication: string[];
  notSigned: string[];
}

/** A card certificate that may sign for the clinician. */
export interface CardChoiceView {
  key: string;
  tokenLabel: string;
  holderName: string;
  uid: string;
  validUntil: string;
}

/** A request to sign, waiting for the clinician (or being signed after they approved). */
export interface ConfirmationView {
  id: string;
  /** The prescribing system that sent it. */
  clientName: string;
  receivedAt: string;
  items: { id: string; prescription: PrescriptionView }[];
  /** Prescriptions of the request that will not be signed, and why (unreadable, digest mismatch). */
  refused: { id: string; code: string; message: string }[];
  signer: {
    kind: 'card';
    cards: CardChoiceView[];
    chosen: string;
    passcode: { pinPad: boolean; countLow: boolean; finalTry: boolean; minLength: number; maxLength: number };
  };
  /** `pin-pad`: the clinician is typing the passcode on the reader's keypad, until `pinPadDeadline`. */
  stage: 'review' | 'pin-pad' | 'signing';
  pinPadDeadline: string | null;
  /** Something the clinician must read now (a wrong passcode), or null. */
  message: string | null;
  progress: { done: number; total: number } | null;
  /** Approved by sandbox automation, not by a person. */
  automatic: boolean;
}

/** The clinician's answer to a confirmation. The passcode goes no further than the card. */
export interface ConfirmationAnswer {
  approve: boolean;
  /** The prescriptions to sign; the rest are declined. */
  itemIds: string[];
  passcode: string | null;
  /** The clinician has read that this is the card's last try. */
  confirmFinalTry: boolean;
  cardKey: string | null;
}

export interface SignerAvailability {
  available: boolean;
  /** Why not, in words a clinician or supplier can act on. */
  reason?: string;
}

/** A prescribing system asking to pair: the clinician compares the code with the one it shows. */
export interface PairingPromptView {
  id: string;
  clientName: string;
  clientVersion: string;
  vendor: string | null;
  code: string;
}

export interface PairedAppView {
  clientId: string;
  name: string;
  version: string;
  vendor: string | null;
  pairedAt: string;
  approval: 'clinician' | 'policy' | 'sandbox-automatic';
}

export interface PipeView {
  /** The socket path or pipe name prescribing systems connect to. */
  endpoint: string;
  /** Prescribing systems connected now. */
  connections: number;
}

/** Everything the window shows, pushed whenever it changes. The core owns it; the window only projects it. */
export interface AppSnapshot {
  product: { name: string; version: string };
  environment: EnvironmentView;
  session: SessionView;
  pipe: PipeView;
  signers: { card: SignerAvailability; remote: SignerAvailability };
  pairing: { prompts: PairingPromptView[]; paired: PairedAppView[] };
  signing: { current: ConfirmationView | null; waiting: number };
  /** Things an admin or clinician should know that do not stop the companion (policy notices). */
  notices: string[];
}

export interface UiError {
  code: string;
  message: string;
}

/** Every call returns a result; nothing is thrown across the boundary. */
export type UiResult<T> = { ok: true; value: T } | { ok: false; error: UiError };

/** Request/response channels: the arguments each takes and what it answers. */
export interface UiInvokeMap {
  'app.getSnapshot': { args: []; result: AppSnapshot };
  'pairing.respond': { args: [promptId: string, approve: boolean]; result: boolean };
  'pairing.revoke': { args: [clientId: string]; result: boolean };
  'signing.respond': { args: [confirmationId: string, answer: ConfirmationAnswer]; result: boolean };
  'session.signIn': { args: []; result: boolean };
  'session.cancelSignIn': { args: []; result: boolean };
  'session.signOut': { args: []; result: boolean };
}

/** Events the core pushes to the window. */
export interface UiEventMap {
  'app.snapshot': AppSnapshot;
}

export type UiInvokeChannel = keyof UiInvokeMap;
export type UiEventName = keyof UiEventMap;

export const UI_INVOKE_CHANNELS = [
  'app.getSnapshot',
  'pairing.respond',
  'pairing.revoke',
  'signing.respond',
  'session.signIn',
  'session.cancelSignIn',
  'session.signOut',
] as const satisfies readonly UiInvokeChannel[];
export const UI_EVENT_NAMES = ['app.snapshot'] as const satisfies readonly UiEventName[];

/** The IPC channel the Electron shell sends every pushed event on. */
export const UI_EVENT_CHANNEL = 'companion:event';

/** What the window may do: named actions, not a transport. */
export interface CompanionApi {
  getSnapshot: () => Promise<UiResult<AppSnapshot>>;
  /** Calls `listener` on every new snapshot; returns a function that stops it. */
  onSnapshot: (listener: (snapshot: AppSnapshot) => void) => () => void;
  /**
   * Calls `listener` if the window loses the core (the headless host stopped). A window must never keep
   * showing state that is no longer true. In Electron the window closes with the core, so it never fires.
   */
  onDisconnected: (listener: (error: UiError) => void) => () => void;
  /** The clinician's answer to a pairing prompt; false if it was no longer waiting. */
  respondToPairing: (promptId: string, approve: boolean) => Promise<UiResult<boolean>>;
  /** Removes a paired application: it must pair again before it can sign. */
  revokePairing: (clientId: string) => Promise<UiResult<boolean>>;
  /** The clinician's answer to the request being confirmed; false if it was no longer waiting. */
  respondToSigning: (confirmationId: string, answer: ConfirmationAnswer) => Promise<UiResult<boolean>>;
  /** Signs the clinician in (or answers an application's sign-in request with yes). */
  signIn: () => Promise<UiResult<boolean>>;
  /** Answers an application's sign-in request with "not now". */
  cancelSignIn: () => Promise<UiResult<boolean>>;
  signOut: () => Promise<UiResult<boolean>>;
}
