/**
 * The scale test's shared Gong, in its own process (so its 3 calls/s and 10,000/day are the company's, whatever
 * the replicas do): the Gong simulator with Gong's real limits behind the Scalekit stand-in. Run with
 * `node --import tsx test/scale/gong-process.ts <prospects> <rep emails…>`: it adds that many Salesforce contacts,
 * connects each rep's Gong account, prints `{ url, clientId, clientSecret, prospectIds, statsUrl }` as one JSON
 * line and exits when stdin ends. `statsUrl` answers the simulator's counts, and with `?flow=<id>` how many flow
 * instances each prospect has in that flow (the exactly-once check).
 */
import http from 'node:http';
import { GongSimulator } from '../../server/sandbox/gong/simulator';
import { addSalesforceContacts } from '../../server/sandbox/gong/seed';
import { startSandbox } from '../../server/sandbox/index';

const [count, ...reps] = process.argv.slice(2);
const n = Number(count);
const sim = new GongSimulator({ latencyMs: 0 });
const prospectIds = addSalesforceContacts(sim.state.raw.prospects, n, 'SC', 'Scale');
const sandbox = await startSandbox({ gong: sim });
for (const rep of reps) sandbox.accounts.setStatus('gong', rep, 'ACTIVE');

const stats = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const flow = url.searchParams.get('flow');
  const body: Record<string, unknown> = {
    ...sim.stats(),
    calls429: sim.callLog.filter((c) => c.status === 429).length,
    // When each call arrived (ms since the epoch): how close the replicas came to Gong's 3 per second.
    arrivals: sim.callLog.map((c) => c.at),
  };
  if (flow) {
    const perProspect: Record<string, number> = {};
    for (const i of sim.state.raw.instances) if (i.flowId === flow) perProspect[i.crmProspectId] = (perProspect[i.crmProspectId] ?? 0) + 1;
    body.instancesByProspect = perProspect;
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
});
await new Promise<void>((r) => stats.listen(0, '127.0.0.1', r));
const statsUrl = `http://127.0.0.1:${(stats.address() as { port: number }).port}/stats`;

process.stdout.write(`${JSON.stringify({ url: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret, prospectIds, statsUrl })}\n`);

const shutdown = async () => {
  stats.close();
  await sandbox.close();
  sim.close();
  process.exit(0);
};
process.stdin.on('end', () => void shutdown());
process.stdin.resume();
process.on('SIGTERM', () => void shutdown());
