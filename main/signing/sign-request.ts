import { z } from 'zod';

/**
 * `signing.sign`'s params and results: the contract prescribing systems code against (docs/protocol.md).
 * At most 250 prescriptions a request: a batch a clinician can still review, and one that fits a frame.
 */
export const MAX_PRESCRIPTIONS = 250;

export const PreparedValues = z.object({
  /** EPS `$prepare`'s `digest`: base64 of the canonical SignedInfo. */
  digest: z.string().min(1).max(8192),
  /** EPS `$prepare`'s `timestamp` (ISO 8601), which becomes the signing time. */
  timestamp: z.string().min(1).max(64),
  algorithm: z.enum(['RS256', 'RS1']),
});

export const SignPrescription = z.object({
  /** The caller's id for this prescription, echoed in its result; unique within the request. */
  id: z.string().min(1).max(200),
  format: z.enum(['fhir-bundle', 'hl7v3']),
  /** The Bundle's JSON text, or the ParentPrescription's XML text. */
  content: z.string().min(1),
  prepared: PreparedValues.optional(),
});

export const SignParams = z
  .object({
    prescriptions: z.array(SignPrescription).min(1).max(MAX_PRESCRIPTIONS),
    algorithm: z.enum(['RS256', 'RS1']).optional(),
    signer: z.enum(['card', 'remote', 'auto']).optional(),
  })
  .superRefine((params, context) => {
    const seen = new Set<string>();
    params.prescriptions.forEach((p, index) => {
      if (seen.has(p.id)) {
        context.addIssue({ code: 'custom', path: ['prescriptions', index, 'id'], message: `duplicates the id "${p.id}"; each prescription needs its own id` });
      }
      seen.add(p.id);
    });
  });

export type SignRequest = z.infer<typeof SignParams>;

export interface SignItemResult {
  id: string;
  status: 'signed' | 'declined' | 'failed';
  /** The signing time (EPS `timestamp` form), for `Provenance.recorded` and `signature.when`. */
  timestamp: string | null;
  /** base64 of the canonical SignedInfo: the same form as `$prepare`'s `digest`. */
  signedInfo: string | null;
  /** base64 of the XML-DSig Signature element, ready for `Provenance.signature.data`. */
  signature: string | null;
  /** base64 DER of the signing certificate. */
  certificate: string | null;
  error?: { code: string; message: string };
}

export interface SignProgress {
  requestId: string | number | null;
  stage: 'queued' | 'confirming' | 'signing' | 'done';
  /** Requests ahead of this one, while queued. */
  position?: number;
  done: number;
  total: number;
  /** The prescription just finished, with how it ended. */
  item?: { id: string; status: SignItemResult['status'] };
}
