import fs from 'node:fs/promises';
import { CompanionClient } from '../client/companion-client.js';
import { PRODUCT_VERSION } from '../version.js';

/** How the CLI introduces itself over the pipe. */
const CLI_CLIENT = { name: 'signing-companion CLI', version: PRODUCT_VERSION };

/** `signing-companion ping`: is the companion there, which one, which environment, how fast. */
export async function pingCommand(endpoint: string | undefined): Promise<number> {
  const started = process.hrtime.bigint();
  const client = await CompanionClient.connect(CLI_CLIENT, endpoint);
  try {
    const hello = await client.hello();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(`${hello.server.name} ${hello.server.version}, protocol ${hello.protocolVersion}, environment ${hello.environment}: answered in ${ms.toFixed(1)} ms\n`);
    return 0;
  } finally {
    await client.close();
  }
}

/** `signing-companion status`: session.getStatus, as JSON. */
export async function statusCommand(endpoint: string | undefined): Promise<number> {
  const client = await CompanionClient.connect(CLI_CLIENT, endpoint);
  try {
    await client.hello();
    process.stdout.write(`${JSON.stringify(await client.getStatus(), null, 2)}\n`);
    return 0;
  } finally {
    await client.close();
  }
}

/**
 * `signing-companion pair --name <app> --version <v>`: pairs an application (for scripts and suppliers'
 * CI). It prints the code the clinician will compare, waits for them, then prints the credentials as JSON,
 * or writes them to `--save <file>` with mode 0600.
 */
export async function pairCommand(options: { name: string; version: string; vendor?: string | undefined; save?: string | undefined; endpoint?: string | undefined }): Promise<number> {
  const client = await CompanionClient.connect(
    { name: options.name, version: options.version, ...(options.vendor ? { vendor: options.vendor } : {}) },
    options.endpoint,
  );
  try {
    await client.hello();
    process.stderr.write(`Pairing code: ${client.pairingCode()}. Check that Signing Companion shows the same code, then approve there.\n`);
    const credentials = await client.pair();
    // The name goes with the credentials: a proof is checked against the pairing, the name only labels it.
    const text = `${JSON.stringify({ ...credentials, name: options.name }, null, 2)}\n`;
    if (options.save) {
      await fs.writeFile(options.save, text, { mode: 0o600 });
      process.stderr.write(`Paired. Credentials written to ${options.save}.\n`);
    } else {
      process.stdout.write(text);
    }
    return 0;
  } finally {
    await client.close();
  }
}
