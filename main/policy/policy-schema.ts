import { z } from 'zod';

/**
 * The machine policy an admin deploys (one JSON file per machine).
 *
 * Absent keys take the defaults below, so a machine with no policy file runs the built-in sandbox. Keys this
 * version does not know are reported, not fatal, so that a policy written for a newer version still loads.
 */
export const ENVIRONMENTS = ['sandbox', 'int', 'live', 'custom'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

export const PolicySchema = z.object({
  environment: z
    .enum(ENVIRONMENTS, {
      error: () => `must be one of ${ENVIRONMENTS.map((e) => `"${e}"`).join(', ')}`,
    })
    .default('sandbox'),
});

export type Policy = z.infer<typeof PolicySchema>;

export const KNOWN_POLICY_KEYS: readonly string[] = Object.keys(PolicySchema.shape);
