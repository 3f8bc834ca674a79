/**
 * One user's view of Gong for one request (or one job): runs catalog tools through the gateway as
 * that user's connected account, and writes every Gong write — answer, refusal or failure — to the audit.
 */
import type { FastifyBaseLogger } from 'fastify';
import { gongTools, type GongToolName } from '../../lib/gong-tools';
import type { AuditLog } from '../store/audit';
import type { User } from '../store/users';
import { classifyGongError } from './failure';
import type { GongConnections } from './connection';
import type { GongCallContext, GongCallResult, GongGateway } from './gateway';

export interface SessionDeps {
  gateway: GongGateway;
  audit: AuditLog;
  /** Needed by code that answers from company-wide caches (ensureConnected). */
  connections?: GongConnections;
}

export class GongSession {
  constructor(
    private readonly deps: SessionDeps,
    readonly user: User,
    readonly log: FastifyBaseLogger,
    /** Route (or job) on whose behalf the calls are made, for the audit. */
    readonly route: string,
    readonly requestId: string | null,
    readonly signal?: AbortSignal,
  ) {}

  async call(tool: GongToolName, input: Record<string, unknown>, opts: Pick<GongCallContext, 'fresh' | 'forCompany'> = {}): Promise<GongCallResult> {
    const ctx = { identifier: this.user.email, log: this.log, signal: this.signal, fresh: opts.fresh, forCompany: opts.forCompany };
    if (!gongTools[tool].write) return this.deps.gateway.execute(tool, input, ctx);
    try {
      const result = await this.deps.gateway.execute(tool, input, ctx);
      this.audit(tool, input, 'ok', result.data);
      return result;
    } catch (err) {
      const failure = classifyGongError(err);
      const refusedByGong: string[] = ['refused', 'not-found', 'not-connected', 'forbidden'];
      const outcome = refusedByGong.includes(failure.kind) ? 'refused' : 'error';
      this.audit(tool, input, outcome, { error: failure.kind, status: failure.status, message: failure.message });
      throw failure;
    }
  }

  /**
   * For answers from company-wide caches, which make no call on this user's connection: fails with not-connected
   * unless that connection is known to be ACTIVE (see GongConnections.requireActive).
   */
  async ensureConnected(): Promise<void> {
    if (!this.deps.connections) throw new Error('this session cannot check the Gong connection');
    await this.deps.connections.requireActive(this.user.email);
  }

  private audit(tool: string, input: unknown, outcome: 'ok' | 'refused' | 'error', answer: unknown): void {
    this.deps.audit.record({
      userId: this.user.id,
      userEmail: this.user.email,
      requestId: this.requestId,
      route: this.route,
      tool,
      input,
      outcome,
      answer,
    });
  }
}
