/**
 * Postgres across a network, over TLS (docs/deploy.md: `?sslmode=verify-full&sslrootcert=…`): a cluster of its own
 * that refuses connections without TLS and offers a certificate from a test CA (made with openssl, which Debian's
 * postgresql package depends on). Every connection the backend opens (migrations, the pool, LISTEN) goes over TLS,
 * and a certificate the backend cannot verify is refused in every sslmode but `disable`, and doctor says what to do.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../server/sandbox/gong/seed';
import { runDoctor } from '../../server/doctor';
import { openPostgres } from '../../server/store/db';
import { LISTEN_APPLICATION_NAME } from '../../server/store/sql';
import { startPostgresCluster, type PostgresCluster } from '../postgres-cluster';
import { startTestBackend, tempDataDir } from './harness';

let certs: string;
let cluster: PostgresCluster;
const caFile = () => path.join(certs, 'ca.crt');
const withParams = (params: string) => `${cluster.url}?${params}`;

/** A CA, and a certificate it signed for 127.0.0.1 (EC keys: quick to make). */
function makeCertificates(dir: string): { cert: string; key: string } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Gong Everywhere test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext');
  return { cert: fs.readFileSync(path.join(dir, 'server.crt'), 'utf8'), key: fs.readFileSync(path.join(dir, 'server.key'), 'utf8') };
}

beforeAll(async () => {
  certs = fs.mkdtempSync(path.join(os.tmpdir(), 'gong-pg-tls-'));
  cluster = await startPostgresCluster({ tls: makeCertificates(certs) });
});

afterAll(() => {
  cluster?.stop();
  if (certs) fs.rmSync(certs, { recursive: true, force: true });
});

describe('Postgres over TLS', () => {
  it('sslmode=verify-full with the CA: the backend migrates, serves and listens, every connection over TLS', async () => {
    const url = withParams(`sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile())}`);
    const t = await startTestBackend({ dataDir: tempDataDir(), env: { DATABASE_URL: url } });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      expect((await t.api('GET', '/readyz')).status).toBe(200);
      const write = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body: { crmProspectIds: [SEED.sfContactNoFlows] }, headers: { 'idempotency-key': 'tls-write-0001' } });
      expect(write.status).toBe(200);
      const { rows } = await admin.query<{ application_name: string; ssl: boolean }>(
        `SELECT a.application_name, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()`,
      );
      expect(rows.some((r) => r.application_name === LISTEN_APPLICATION_NAME)).toBe(true);
      expect(rows.length).toBeGreaterThan(1);
      expect(rows.every((r) => r.ssl)).toBe(true);
    } finally {
      await admin.end();
      await t.close();
    }
  });

  it('a certificate it cannot verify is refused, even with sslmode=require, saying why', async () => {
    for (const params of ['sslmode=require', 'sslmode=verify-full']) {
      await expect(openPostgres(withParams(params))).rejects.toThrow(/self[- ]signed certificate|unable to verify|unable to get local issuer/i);
    }
  });

  it('doctor names the certificate problem and what to add to DATABASE_URL, without the password', async () => {
    const url = new URL(withParams('sslmode=verify-full'));
    url.password = 'secret-password';
    const report = await runDoctor({ env: { DATABASE_URL: url.toString() }, dataDir: tempDataDir() });
    const row = report.rows.find((r) => r.check === 'database')!;
    expect(row).toMatchObject({ result: 'fail', todo: expect.stringMatching(/sslrootcert=/) });
    expect(row.detail).toMatch(/certificate/i);
    expect(JSON.stringify(row)).not.toContain('secret-password');
  });
});
