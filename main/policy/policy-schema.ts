import { z } from 'zod';

/**
 * The machine policy an admin deploys (one JSON file per machine).
 *
 * Absent keys take the defaults below, so a machine with no policy file runs the built-in sandbox. Keys this
 * version does not know are reported, not fatal, so that a policy written for a newer version still loads.
 */
export const ENVIRONMENTS = ['sandbox', 'int', 'live', 'custom'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

export const PolicySchema = z
  .object({
    environment: z
      .enum(ENVIRONMENTS, {
        error: () => `must be one of ${ENVIRONMENTS.map((e) => `"${e}"`).join(', ')}`,
      })
      .default('sandbox'),
    clients: z
      .object({
        /** Prescribing systems (by the name they send) whose pairing needs no prompt. */
        preApproved: z.array(z.string().min(1).max(100)).max(100).default([]),
      })
      .strict()
      .default({ preApproved: [] }),
    /** Smartcard middleware: the PKCS#11 libraries to load, in order. Absent: the OS defaults (docs/configuration.md). */
    pkcs11: z
      .object({
        modules: z.array(z.string().min(1).max(1024)).max(16),
      })
      .strict()
      .optional(),
    /** Automation for the sandbox only; any other environment refuses to start with this present. */
    sandbox: z
      .object({
        /** Approve pairing and confirmations without a person (recorded as automatic). */
        autoApprove: z.boolean().default(false),
        /** The passcode automation enters for the card (the software test card's passcode too). */
        cardPin: z.string().min(4).max(64).optional(),
        /** The clinician the sandbox signs in, so a test card's UID can match. */
        user: z
          .object({
            uid: z.string().regex(/^\d{6,20}$/, 'must be a CIS2 UID: digits only'),
            name: z.string().min(1).max(100),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
  })
  .superRefine((policy, context) => {
    if (policy.sandbox !== undefined && policy.environment !== 'sandbox') {
      context.addIssue({
        code: 'custom',
        path: ['sandbox'],
        message: `is allowed only with "environment": "sandbox" (this policy says "${policy.environment}")`,
      });
    }
  });

export type Policy = z.infer<typeof PolicySchema>;

export const KNOWN_POLICY_KEYS: readonly string[] = ['environment', 'clients', 'pkcs11', 'sandbox'];
