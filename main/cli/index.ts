#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../version.js';
import { cliFailure, UsageError } from './cli-errors.js';
import { pairCommand, pingCommand, statusCommand } from './client-commands.js';
import { conformanceCommand } from './conformance-command.js';
import { prepareCommand } from './prepare-command.js';
import { serveCommand } from './serve-command.js';
import { showCommand } from './show-command.js';
import { signCommand } from './sign-command.js';
import { verifyCommand } from './verify-command.js';
import { startCommand } from './start-command.js';

/**
 * `signing-companion`: runs the companion and, later, the offline and client commands integrators use.
 *
 * Errors end as one plain line on stderr and a non-zero exit code, never a stack trace.
 */
const HELP = `${PRODUCT_NAME} ${PRODUCT_VERSION}

Usage: signing-companion <command> [options]

Commands:
  start             Run the tray app; without an Electron binary, run the headless host instead.
  serve             Run the headless host: the pipe server, and the window served on 127.0.0.1.
      --port <n>    Serve the window on this port (default: a free port).
  help              Show this help.

Offline (no running companion needed):
  prepare <file>    Print EPS $prepare's answer for a FHIR Bundle (.json) or HL7 V3 message (.xml).
      --timestamp <ISO-8601>   The signing time (Bundle: default now; HL7 V3: must equal its author/time).
      --algorithm RS1|RS256    Default RS256.
  show <file>       Print the prescription as the clinician reads it before signing (--json for the model).
  verify <file>     Check a signed Bundle or HL7 V3 message; exit 0 only if valid (--json for the verdict).

Client (talks to the running companion; --pipe <path> to choose one, default: the discovery file):
  ping              Which companion answers, in which environment, and how fast.
  status            session.getStatus as JSON.
  pair --name <app> --app-version <v> [--vendor <v>] [--save <file>]
                    Pair an application; prints the code to compare, then the credentials.
  sign <files…> --credentials <file> [--prepared <prepare-response.json>] [--algorithm RS256|RS1]
                    [--signer card|remote|auto]
                    Send prescriptions (.json Bundles, .xml HL7 V3) to the clinician; prints the results as
                    JSON and exits 0 only if every one was signed. --credentials is what "pair --save" wrote.
  conformance <transcript.jsonl>
                    Check a recorded session ({"dir":"send"|"recv","message":{…}} per line) against the protocol.
  conformance --live
                    Check the running companion's answers against the protocol.

Options:
  -h, --help        Show this help.
  -v, --version     Show the version.

Environment:
  SIGNING_COMPANION_HOME      Per-user state folder (default: the OS's per-user app data folder).
  SIGNING_COMPANION_POLICY    Machine policy file (default: the OS's machine-wide config folder).
  SIGNING_COMPANION_HEADLESS  Set to 1 to make "start" run the headless host.
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      port: { type: 'string' },
      timestamp: { type: 'string' },
      algorithm: { type: 'string' },
      json: { type: 'boolean' },
      pipe: { type: 'string' },
      name: { type: 'string' },
      vendor: { type: 'string' },
      save: { type: 'string' },
      'app-version': { type: 'string' },
      live: { type: 'boolean' },
      credentials: { type: 'string' },
      prepared: { type: 'string' },
      signer: { type: 'string' },
    },
  });
  const [command = 'help'] = positionals;
  if (values.version) {
    process.stdout.write(`${PRODUCT_VERSION}\n`);
    return 0;
  }
  if (values.help || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  switch (command) {
    case 'start':
      return startCommand();
    case 'serve':
      return serveCommand({ port: parsePort(values.port) });
    case 'prepare': {
      const file = positionals[1];
      if (!file) {
        throw new UsageError('prepare needs a file: signing-companion prepare <bundle.json | message.xml>.');
      }
      return prepareCommand(file, { timestamp: values.timestamp, algorithm: values.algorithm });
    }
    case 'ping':
      return pingCommand(values.pipe);
    case 'status':
      return statusCommand(values.pipe);
    case 'pair':
      if (!values.name || !values['app-version']) {
        throw new UsageError('pair needs --name <application name> and --app-version <its version>.');
      }
      return pairCommand({ name: values.name, version: values['app-version'], vendor: values.vendor, save: values.save, endpoint: values.pipe });
    case 'sign':
      return signCommand({
        files: positionals.slice(1),
        credentials: values.credentials,
        prepared: values.prepared,
        algorithm: values.algorithm,
        signer: values.signer,
        name: values.name,
        endpoint: values.pipe,
      });
    case 'conformance':
      return conformanceCommand(positionals[1], { live: values.live === true, pipe: values.pipe });
    case 'show':
    case 'verify': {
      const file = positionals[1];
      if (!file) {
        throw new UsageError(`${command} needs a file: signing-companion ${command} <bundle.json | message.xml>.`);
      }
      return command === 'show' ? showCommand(file, { json: values.json === true }) : verifyCommand(file, { json: values.json === true });
    }
    default:
      process.stderr.write(`Unknown command "${command}". Run "signing-companion --help" for the list.\n`);
      return 2;
  }
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--port must be a whole number from 1 to 65535, not "${value}".`);
  }
  return port;
}


main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const { message, exitCode } = cliFailure(err);
    process.stderr.write(`signing-companion: ${message}\n`);
    process.exitCode = exitCode;
  },
);
