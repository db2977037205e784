import { expect } from 'vitest';
import type { ConfirmationView } from '../../preload/contract.js';
import type { SignItemResult } from '../../main/signing/sign-request.js';
import type { PipeHarness } from './pipe-harness.js';

/** The confirmation in front of the clinician, once there is one under review that matches. */
export async function reviewedConfirmation(harness: PipeHarness, predicate: (v: ConfirmationView) => boolean = () => true): Promise<ConfirmationView> {
  await expect
    .poll(() => {
      const v = harness.companion.state.current.signing.current;
      return v !== null && v.stage === 'review' && predicate(v);
    })
    .toBe(true);
  return harness.companion.state.current.signing.current as ConfirmationView;
}

/** The results of a `signing.sign` answer. */
export const signResults = (answer: { result?: unknown }) => (answer.result as { results: SignItemResult[] }).results;
