/**
 * A throwaway PostgreSQL cluster for the tests: initdb in a temp dir, its own loopback port, fsync off,
 * stopped and deleted at the end. Debian's `postgresql` package (what .ci/run installs) puts the binaries in
 * /usr/lib/postgresql/<version>/bin; initdb refuses to run as root, so as root the cluster runs as the
 * `postgres` user the package creates.
 *
 * Used as the `backend-pg` vitest project's globalSetup: it sets GONG_TEST_POSTGRES_URL, which
 * test/backend/harness.ts reads to give each test backend its own database. An URL already set (a server of
 * your own) is used as is.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface PostgresCluster {
  url: string;
  stop(): void;
}

function binDir(): string {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return path.dirname(onPath);
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  if (!versions.length) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql (or set GONG_TEST_POSTGRES_URL)');
  versions.sort((a, b) => Number(b) - Number(a));
  return path.join(root, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A server certificate and key (PEM) the cluster offers; then it refuses connections without TLS. */
export interface ClusterTls {
  cert: string;
  key: string;
}

export async function startPostgresCluster(opts: { tls?: ClusterTls } = {}): Promise<PostgresCluster> {
  const bin = binDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gong-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { stdio: 'pipe' }) : execFileSync(path.join(bin, cmd), args, { stdio: 'pipe' });
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  // Test data is thrown away: no fsync; enough connections for three replicas' pools and the suites.
  let options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  if (opts.tls) {
    const own = (file: string, text: string) => {
      fs.writeFileSync(file, text, { mode: 0o600 });
      if (asRoot) execFileSync('chown', ['postgres:postgres', file]);
    };
    own(path.join(dir, 'server.crt'), opts.tls.cert);
    own(path.join(dir, 'server.key'), opts.tls.key);
    // TCP only with TLS: a client that does not ask for it is refused.
    own(path.join(data, 'pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n');
    options += ` -c ssl=on -c ssl_cert_file=${path.join(dir, 'server.crt')} -c ssl_key_file=${path.join(dir, 'server.key')}`;
  }
  run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** vitest globalSetup: a cluster for the run, unless GONG_TEST_POSTGRES_URL already names a server. */
export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env.GONG_TEST_POSTGRES_URL) return undefined;
  const cluster = await startPostgresCluster();
  process.env.GONG_TEST_POSTGRES_URL = cluster.url;
  return () => cluster.stop();
}
