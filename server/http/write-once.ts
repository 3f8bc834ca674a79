/**
 * Runs a write route at most once per `Idempotency-Key`: a repeat with the same key (and the same
 * request) gets the first answer without reaching Gong; the same key on a different request is a 409.
 * Refusals (4xx) are final answers too, so they are replayed as well.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IDEMPOTENCY_HEADER } from '../../lib/api';
import type { AuditLog } from '../store/audit';
import { IDEMPOTENCY_KEY, requestFingerprint, type IdempotencyStore, type StoredAnswer } from '../store/idempotency';
import { ApiFailure } from './api-failure';
import { toApiFailureFromAny } from './error-handler';
import { requireUser } from './request-context';

export interface WriteOnceDeps {
  idempotency: IdempotencyStore;
  audit: AuditLog;
}

export async function writeOnce(
  deps: WriteOnceDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  run: () => Promise<StoredAnswer>,
): Promise<FastifyReply> {
  const user = requireUser(req);
  const header = req.headers[IDEMPOTENCY_HEADER];
  const attempt = async (): Promise<StoredAnswer> => {
    try {
      return await run();
    } catch (err) {
      const failure = toApiFailureFromAny(err);
      if (failure.status >= 500) req.log.error({ err }, 'write failed');
      return { status: failure.status, body: failure.toBody() };
    }
  };
  let answer: StoredAnswer;
  if (header === undefined) {
    answer = await attempt();
  } else {
    if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) {
      throw new ApiFailure(400, 'BAD_REQUEST', 'Idempotency-Key must be 8–200 characters of letters, digits, _ . : -');
    }
    const route = req.routeOptions.url ?? req.url;
    const fingerprint = requestFingerprint(route, req.params, req.body);
    const result = await deps.idempotency.run(user.id, header, fingerprint, attempt);
    if ('mismatch' in result) {
      throw new ApiFailure(409, 'CONFLICT', 'This Idempotency-Key was already used for a different request');
    }
    answer = result.answer;
    if (result.replayed) {
      reply.header('idempotent-replayed', 'true');
      deps.audit.record({
        userId: user.id,
        userEmail: user.email,
        requestId: req.id,
        route,
        tool: null,
        input: { idempotencyKey: header },
        outcome: 'replayed',
        answer: { status: answer.status },
      });
    }
  }
  const body = answer.body as { error?: { retryAfter?: number } };
  if (body?.error?.retryAfter !== undefined) reply.header('retry-after', String(body.error.retryAfter));
  return reply.status(answer.status).send(answer.body);
}
