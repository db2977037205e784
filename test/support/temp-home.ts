import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A private home and policy path for one companion instance, so parallel tests never share a socket.
 *
 * Kept short (under /tmp) because a Unix socket path may not exceed 103 bytes.
 */
export interface TempHome {
  home: string;
  policyFile: string;
  env: NodeJS.ProcessEnv;
  writePolicy(policy: unknown): Promise<void>;
  cleanup(): Promise<void>;
}

export async function createTempHome(): Promise<TempHome> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'sc-'));
  const policyFile = path.join(home, 'policy.json');
  return {
    home,
    policyFile,
    env: { ...process.env, SIGNING_COMPANION_HOME: home, SIGNING_COMPANION_POLICY: policyFile },
    writePolicy: (policy) => fs.writeFile(policyFile, JSON.stringify(policy)),
    cleanup: () => fs.rm(home, { recursive: true, force: true }),
  };
}
