import fs from 'node:fs/promises';
import { discoverEndpoint } from '../client/companion-client.js';
import { checkLiveCompanion } from '../conformance/live-check.js';
import { checkTranscript } from '../conformance/transcript-check.js';

/**
 * `signing-companion conformance <transcript.jsonl>` checks a recorded session of an integration;
 * `signing-companion conformance --live` checks the running companion. Exit 0 only when all is well.
 */
export async function conformanceCommand(transcript: string | undefined, options: { live: boolean; pipe?: string | undefined }): Promise<number> {
  if (options.live) {
    const results = await checkLiveCompanion(options.pipe ?? (await discoverEndpoint()));
    for (const result of results) {
      process.stdout.write(`${result.passed ? 'pass' : 'FAIL'}  ${result.check}${result.detail ? `: ${result.detail}` : ''}\n`);
    }
    const failed = results.filter((r) => !r.passed).length;
    process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
    return failed === 0 ? 0 : 1;
  }
  if (!transcript) {
    process.stderr.write('signing-companion: conformance needs a transcript file, or --live.\n');
    return 2;
  }
  const findings = checkTranscript(await fs.readFile(transcript, 'utf8'));
  for (const finding of findings) {
    process.stdout.write(`line ${finding.line} (${finding.side}): ${finding.problem}\n`);
  }
  process.stdout.write(findings.length === 0 ? 'The transcript follows the protocol.\n' : `${findings.length} problem(s).\n`);
  return findings.length === 0 ? 0 : 1;
}
