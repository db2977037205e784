import fs from 'node:fs/promises';
import path from 'node:path';
import { CompanionClient, type Credentials } from '../client/companion-client.js';
import type { SignRequest } from '../signing/sign-request.js';
import { UsageError } from './cli-errors.js';

export interface SignCommandOptions {
  files: string[];
  /** The credentials `pair --save` wrote. */
  credentials: string | undefined;
  /** EPS `$prepare`'s answer (FHIR Parameters) for a single file, to check the digest against. */
  prepared: string | undefined;
  algorithm: string | undefined;
  signer: string | undefined;
  name: string | undefined;
  endpoint: string | undefined;
}

/**
 * `signing-companion sign <files…> --credentials <file>`: sends prescriptions to the clinician as a
 * prescribing system would, and prints the results as JSON. Progress goes to stderr. Exits 0 only if
 * every prescription was signed.
 */
export async function signCommand(options: SignCommandOptions): Promise<number> {
  if (options.files.length === 0) {
    throw new UsageError('sign needs one or more files: signing-companion sign <bundle.json | message.xml>… --credentials <file>.');
  }
  if (!options.credentials) {
    throw new UsageError('sign needs --credentials <file>: the file "signing-companion pair --save <file>" wrote.');
  }
  if (options.prepared && options.files.length !== 1) {
    throw new UsageError('--prepared goes with a single file.');
  }
  if (options.algorithm !== undefined && options.algorithm !== 'RS256' && options.algorithm !== 'RS1') {
    throw new UsageError(`--algorithm must be RS256 or RS1, not "${options.algorithm}".`);
  }
  if (options.signer !== undefined && !['card', 'remote', 'auto'].includes(options.signer)) {
    throw new UsageError(`--signer must be card, remote or auto, not "${options.signer}".`);
  }
  const credentials = await readCredentials(options.credentials);
  const prescriptions: SignRequest['prescriptions'] = [];
  for (const file of options.files) {
    prescriptions.push({
      id: path.basename(file),
      format: file.toLowerCase().endsWith('.xml') ? 'hl7v3' : 'fhir-bundle',
      content: await fs.readFile(file, 'utf8'),
      ...(options.prepared ? { prepared: await readPrepared(options.prepared) } : {}),
    });
  }
  const client = await CompanionClient.connect({ name: options.name ?? credentials.name ?? 'signing-companion CLI', version: '1' }, options.endpoint);
  try {
    await client.hello();
    await client.prove(credentials);
    const session = await client.signIn();
    process.stderr.write(`Signed in as ${session.user.name}. Waiting for the clinician to check ${prescriptions.length === 1 ? 'the prescription' : `${prescriptions.length} prescriptions`}…\n`);
    const results = await client.sign(
      {
        prescriptions,
        ...(options.algorithm ? { algorithm: options.algorithm } : {}),
        ...(options.signer ? { signer: options.signer as 'card' | 'remote' | 'auto' } : {}),
      },
      {
        onProgress: (p) => {
          if (p.stage === 'queued') {
            process.stderr.write(`Queued: ${p.position ?? 0} ahead.\n`);
          } else if (p.item) {
            process.stderr.write(`${p.done}/${p.total} ${p.item.id}: ${p.item.status}\n`);
          }
        },
      },
    );
    process.stdout.write(`${JSON.stringify({ results }, null, 2)}\n`);
    return results.every((r) => r.status === 'signed') ? 0 : 1;
  } finally {
    await client.close();
  }
}

async function readCredentials(file: string): Promise<Credentials & { name?: string }> {
  const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Credentials> & { name?: string };
  if (typeof parsed.clientId !== 'string' || typeof parsed.clientSecret !== 'string') {
    throw new UsageError(`${file} does not hold pairing credentials ({"clientId", "clientSecret"}).`);
  }
  return { clientId: parsed.clientId, clientSecret: parsed.clientSecret, ...(parsed.name ? { name: parsed.name } : {}) };
}

async function readPrepared(file: string): Promise<{ digest: string; timestamp: string; algorithm: 'RS256' | 'RS1' }> {
  const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as { parameter?: { name?: string; valueString?: string }[] };
  const value = (name: string) => parsed.parameter?.find((p) => p.name === name)?.valueString;
  const digest = value('digest');
  const timestamp = value('timestamp');
  const algorithm = value('algorithm');
  if (!digest || !timestamp || (algorithm !== 'RS256' && algorithm !== 'RS1')) {
    throw new UsageError(`${file} is not an EPS $prepare answer (Parameters with digest, timestamp and algorithm).`);
  }
  return { digest, timestamp, algorithm };
}
