/**
 * Bulk assignment: > 200 prospects become a persisted job (202 + jobId) run 100 at a time (Gong's cap); it ends
 * with one correct result per prospect, and survives the backend being stopped midway.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { apiError, job, jobAccepted, jobProgress, type Job } from '../../lib/api';
import { SEED } from '../../server/sandbox/gong/seed';
import { addConnectedUser, FAST_RETRIES, startTestBackend, tempDataDir, waitFor, type TestBackend } from './harness';

const open: TestBackend[] = [];
afterAll(async () => {
  for (const t of open) await t.close().catch(() => undefined);
});

/** 450 ids: every seeded prospect, the rest HubSpot-shaped ids Gong's CRM does not know. */
function jobIds(t: TestBackend): { ids: string[]; known: Set<string> } {
  const known = t.gong.state.raw.prospects.map((p) => p.crmId);
  const unknown = Array.from({ length: 450 - known.length }, (_, i) => String(990_000_000 + i));
  return { ids: [...known, ...unknown], known: new Set(known) };
}

async function jobOf(t: TestBackend, id: string, token?: string): Promise<Job> {
  const res = await t.api('GET', `/api/v1/jobs/${id}`, { token });
  expect(res.status).toBe(200);
  return job.parse(res.body);
}

/** The job's results agree with Gong: ok ⇔ a new instance of the flow exists, exactly one per prospect. */
function checkAgainstGong(t: TestBackend, j: Job, flowId: string, known: Set<string>, startedAt: number) {
  expect(j.status).toBe('COMPLETED');
  expect(j.total).toBe(450);
  expect(j.processed).toBe(450);
  expect(j.results).toHaveLength(450);
  expect(new Set(j.results.map((r) => r.crmProspectId)).size).toBe(450);
  for (const r of j.results) {
    const instances = t.gong.state.flowInstancesByProspect(r.crmProspectId).filter((i) => i.flowId === flowId);
    const created = instances.filter((i) => Date.parse(i.created) >= startedAt - 1000);
    if (r.ok) expect(created, r.crmProspectId).toHaveLength(1);
    else expect(created, r.crmProspectId).toHaveLength(0);
    if (!known.has(r.crmProspectId)) expect(r).toMatchObject({ ok: false, code: 'InvalidArgument' });
  }
  expect(j.succeeded).toBeGreaterThan(20);
  expect(j.succeeded + j.failed).toBe(450);
}

describe('bulk assignment jobs', () => {
  it('runs a 450-prospect assignment as a job with correct per-prospect results', async () => {
    const t = await startTestBackend({ gong: FAST_RETRIES });
    open.push(t);
    const { ids, known } = jobIds(t);
    const startedAt = Date.now();
    const res = await t.api('POST', `/api/v1/flows/${SEED.otherFlowId}/assign`, { body: { crmProspectIds: ids } });
    expect(res.status).toBe(202);
    const { jobId } = jobAccepted.parse(res.body);
    const done = await waitFor(async () => {
      const j = await jobOf(t, jobId);
      return j.status === 'COMPLETED' || j.status === 'FAILED' ? j : undefined;
    });
    checkAgainstGong(t, done, SEED.otherFlowId, known, startedAt);
    // 100 × 4 + 50: Gong's cap per call (gong-openapi.json assignProspects) is kept.
    expect(t.gong.stats().byTool.gong_engage_prospects_assign).toBe(5);

    // `?results=0`: the same status and counts, without the per-prospect results.
    const light = await t.api('GET', `/api/v1/jobs/${jobId}?results=0`);
    expect(light.status).toBe(200);
    expect(light.body).not.toHaveProperty('results');
    const { results: _results, ...counts } = done;
    expect(jobProgress.parse(light.body)).toEqual({ ...counts, updatedAt: jobProgress.parse(light.body).updatedAt });
    expect((await t.api('GET', `/api/v1/jobs/${jobId}?results=1`)).body).toEqual((await t.api('GET', `/api/v1/jobs/${jobId}`)).body);
    expect((await t.api('GET', `/api/v1/jobs/${jobId}?results=maybe`)).status).toBe(400);

    // Only its owner sees it.
    const samToken = await addConnectedUser(t, SEED.otherRepEmail);
    const other = await t.api('GET', `/api/v1/jobs/${jobId}`, { token: samToken });
    expect(other.status).toBe(404);
    expect(apiError.parse(other.body).error.code).toBe('NOT_FOUND');
    expect((await t.api('GET', `/api/v1/jobs/${jobId}?results=0`, { token: samToken })).status).toBe(404);
  });

  it('resumes a job after the backend is stopped midway, without losing or doubling a prospect', async () => {
    const dataDir = tempDataDir();
    let t = await startTestBackend({ dataDir, gong: FAST_RETRIES });
    open.push(t);
    const { ids, known } = jobIds(t);
    // Slow Gong down so the stop lands between batches.
    t.gong.faults.set({ tool: 'gong_engage_prospects_assign', kind: 'slow', delayMs: 700, times: 3 });
    const startedAt = Date.now();
    const res = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body: { crmProspectIds: ids } });
    expect(res.status).toBe(202);
    const { jobId } = jobAccepted.parse(res.body);
    await waitFor(async () => {
      const j = await jobOf(t, jobId);
      return j.processed >= 200 ? j : undefined;
    });
    await t.close();

    t = await startTestBackend({ dataDir, gong: FAST_RETRIES });
    open.push(t);
    const midway = await jobOf(t, jobId);
    expect(midway.processed).toBeGreaterThanOrEqual(200);
    expect(midway.processed).toBeLessThan(450);
    const done = await waitFor(async () => {
      const j = await jobOf(t, jobId);
      return j.status === 'COMPLETED' || j.status === 'FAILED' ? j : undefined;
    });
    checkAgainstGong(t, done, SEED.flowId, known, startedAt);
  });

  it('keeps assignments of up to 200 synchronous and refuses more than 10,000 ids', async () => {
    const t = await startTestBackend();
    open.push(t);
    const tooMany = Array.from({ length: 10_001 }, (_, i) => String(880_000_000 + i));
    const before = t.gong.stats().totalCalls;
    const res = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body: { crmProspectIds: tooMany } });
    expect(res.status).toBe(400);
    expect(apiError.parse(res.body).error.code).toBe('VALIDATION_FAILED');
    expect(t.gong.stats().totalCalls).toBe(before);
    const ok = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body: { crmProspectIds: tooMany.slice(0, 200) } });
    expect(ok.status).toBe(200);
    expect(ok.body.notAssigned).toHaveLength(200);
  });
});
