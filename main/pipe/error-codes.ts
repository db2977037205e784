import type { SigningError, SigningErrorCode } from '../signing/signing-error.js';
import { RpcError } from './json-rpc.js';

/**
 * The companion's own JSON-RPC error codes (in the range JSON-RPC reserves for servers), each with a
 * plain message a supplier can show as it is. `error.data.code` always carries the name.
 */
export const PIPE_ERRORS = {
  NOT_PAIRED: { code: -32001, message: 'This application is not paired with Signing Companion. Pair it (companion.pair), then prove the pairing in companion.hello.' },
  NOT_SIGNED_IN: { code: -32002, message: 'No clinician is signed in to Signing Companion.' },
  DECLINED: { code: -32003, message: 'The clinician declined.' },
  TIMEOUT: { code: -32004, message: 'The clinician did not answer in time.' },
  CARD_ABSENT: { code: -32005, message: 'No smartcard is in the reader.' },
  PIN_LOCKED: { code: -32006, message: "The smartcard's passcode is locked. The clinician needs their registration authority to unlock it." },
  DIGEST_MISMATCH: { code: -32007, message: 'The digest sent does not match the prescription content; nothing was signed.' },
  INVALID_CONTENT: { code: -32008, message: 'The prescription content could not be read.' },
  BUSY: { code: -32009, message: 'Signing Companion is busy with too many requests from this application; try again shortly.' },
  TOO_LARGE: { code: -32010, message: 'The message is larger than Signing Companion accepts (8 MiB a frame).' },
  CANCELLED: { code: -32011, message: 'The request was cancelled.' },
  PROTOCOL_VERSION: { code: -32012, message: 'The application speaks a protocol version this companion does not.' },
  HELLO_REQUIRED: { code: -32013, message: 'Call companion.hello first on each connection.' },
  FRAME_TIMEOUT: { code: -32014, message: 'A frame took longer than 30 seconds to arrive; the connection is closed.' },
  BAD_FRAME: { code: -32015, message: 'The frame is not Content-Length framed JSON-RPC; the connection is closed.' },
  CARD_REMOVED: { code: -32016, message: 'The smartcard was removed during signing.' },
  CARD_USER_MISMATCH: { code: -32017, message: 'The smartcard in the reader belongs to someone other than the signed-in clinician.' },
  CARD_ERROR: { code: -32018, message: 'The smartcard or its reader reported an error.' },
  NO_CERTIFICATE: { code: -32019, message: 'The smartcard has no certificate that can sign prescriptions.' },
  SIGNER_UNAVAILABLE: { code: -32020, message: 'The signer asked for is not available.' },
  SIGN_IN_UNAVAILABLE: { code: -32021, message: 'Sign-in is not available in this environment.' },
  PIN_INCORRECT: { code: -32022, message: 'The passcode was not accepted.' },
  SIGNATURE_INVALID: { code: -32023, message: "The card's signature did not verify with its certificate; nothing was returned." },
} as const satisfies Record<SigningErrorCode, unknown> & Record<string, { code: number; message: string }>;

export type PipeErrorName = keyof typeof PIPE_ERRORS;

export function pipeError(name: PipeErrorName, message?: string): RpcError {
  const entry = PIPE_ERRORS[name];
  return new RpcError(entry.code, message ?? entry.message, { code: name });
}

/** A signing failure as the JSON-RPC error the application receives (same name, the service's words). */
export function pipeErrorFrom(err: SigningError): RpcError {
  return pipeError(err.code, err.message);
}
