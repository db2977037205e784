import { startHeadless } from '../hosts/headless/headless-host.js';

/**
 * Runs the headless host in the foreground until Ctrl-C or SIGTERM, then stops every service in reverse
 * order and exits 0: socket and discovery file removed.
 */
export async function serveCommand({ port }: { port?: number | undefined }): Promise<number> {
  // Listen for signals before anything starts: a signal during start-up, or in the instant after the
  // "Press Ctrl-C" line, must still end in a clean stop rather than the default, uncleaned exit. The
  // handlers stay installed, so a repeated Ctrl-C (a terminal signals npm and its shell too) is absorbed.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => resolve(signal));
    }
  });

  const run = await startHeadless(port === undefined ? {} : { port });
  const { environment, pipe } = run.companion.state.current;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`Signing Companion is running (headless). Environment: ${environment.label}.`);
  if (environment.notice) {
    out(`*** ${environment.label.toUpperCase()}: ${environment.notice} ***`);
  }
  out(`Pipe: ${pipe.endpoint}`);
  out(`UI:   ${run.uiUrl}`);
  out(`Discovery file: ${run.companion.discoveryFile}`);
  for (const notice of run.companion.state.current.notices) {
    out(`Notice: ${notice}`);
  }
  out('Press Ctrl-C to stop.');

  const signal = await stopSignal;
  out(`Stopping (${signal})…`);
  try {
    await run.stop();
  } catch (err) {
    process.stderr.write(`Signing Companion did not stop cleanly: ${String(err)}\n`);
    return 1;
  }
  out('Stopped.');
  return 0;
}
