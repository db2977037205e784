import { startHeadless } from '../hosts/headless/headless-host.js';

/**
 * Runs the headless host in the foreground until Ctrl-C or SIGTERM, then stops every service in reverse
 * order and exits 0: socket and discovery file removed.
 */
export async function serveCommand({ port }: { port?: number | undefined }): Promise<number> {
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

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        return;
      }
      stopping = true;
      out(`Stopping (${signal})…`);
      run.stop().then(
        () => {
          out('Stopped.');
          resolve(0);
        },
        (err: unknown) => {
          process.stderr.write(`Signing Companion did not stop cleanly: ${String(err)}\n`);
          resolve(1);
        },
      );
    };
    // `on`, not `once`: a terminal's Ctrl-C reaches npm and its shell too, and npm forwards it again, so a
    // second signal may arrive while stopping. It must not kill the process half-way.
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
