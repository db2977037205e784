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
    /** Automation for the sandbox only; any other environment refuses to start with this present. */
    sandbox: z
      .object({
        /** Approve pairing and confirmations without a person (recorded as automatic). */
        autoApprove: z.boolean().default(false),
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

export const KNOWN_POLICY_KEYS: readonly string[] = ['environment', 'clients', 'sandbox'];
