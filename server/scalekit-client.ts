/**
 * The backend's Scalekit client, one way for the server and `doctor`: in scalekit mode the SDK pointed at
 * SCALEKIT_ENV_URL; in sandbox mode the stand-in started on a free loopback port (with the Gong simulator)
 * and the same SDK pointed at it.
 */
import { ScalekitClient } from '@scalekit-sdk/node';
import type { BackendConfig } from './config';
import type { Sandbox, SandboxOptions } from './sandbox/index';

/** Tool calls may wait on Gong; control-plane calls (tokens, accounts) should answer quickly. */
export const SCALEKIT_TIMEOUTS = { toolTimeoutMs: 30_000, timeoutMs: 10_000 };

export interface ScalekitConnection {
  client: ScalekitClient;
  sandbox?: Sandbox;
  close(): Promise<void>;
}

export interface ScalekitConnectOptions {
  sandbox?: SandboxOptions;
  /** Sandbox mode: where the Gong simulator keeps its state (none: a fresh seed in memory). */
  gongStatePath?: string;
  timeouts?: Partial<typeof SCALEKIT_TIMEOUTS>;
}

export async function connectScalekit(config: BackendConfig, opts: ScalekitConnectOptions = {}): Promise<ScalekitConnection> {
  const timeouts = { ...SCALEKIT_TIMEOUTS, ...opts.timeouts };
  if (config.mode === 'scalekit') {
    const sk = config.scalekit!;
    return { client: new ScalekitClient(sk.envUrl, sk.clientId, sk.clientSecret, timeouts), close: async () => {} };
  }
  const [{ startSandbox }, { GongSimulator }] = await Promise.all([import('./sandbox/index'), import('./sandbox/gong/simulator')]);
  const simulator = new GongSimulator({ statePath: opts.gongStatePath });
  const sandbox = await startSandbox({ gong: simulator, ...opts.sandbox });
  return {
    client: new ScalekitClient(sandbox.url, sandbox.clientId, sandbox.clientSecret, timeouts),
    sandbox,
    close: async () => {
      await sandbox.close();
      simulator.close();
    },
  };
}
