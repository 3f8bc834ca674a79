/** Fault injection for tests: make the next call(s) of a tool (or any tool) fail, slow down or drop. */

/** '403': Gong refuses the connection the call (a missing scope or permission): the spec's 403 "Access denied" (POST /v2/tasks). */
/** 'drop': the connection is dropped before Gong does anything; 'lost': Gong does the call, then the connection drops (its answer is lost). */
export type FaultKind = '403' | '429' | '500' | '503' | 'slow' | 'drop' | 'lost';

export interface FaultSpec {
  /** Only calls of this tool; any tool when absent. */
  tool?: string;
  kind: FaultKind;
  /** How many calls it affects (default 1; Infinity until cleared). */
  times?: number;
  /** For 'slow': extra delay in real milliseconds (default 3000). */
  delayMs?: number;
  /** For '429': the Retry-After seconds to answer (default 1). */
  retryAfter?: number;
}

/** Thrown for a 'drop' fault: the stand-in should drop the connection instead of answering. */
export class SimulatedDrop extends Error {
  constructor(readonly toolName: string) {
    super(`simulated dropped connection during ${toolName}`);
    this.name = 'SimulatedDrop';
  }
}

export class Faults {
  private rules: (FaultSpec & { remaining: number })[] = [];

  set(spec: FaultSpec): void {
    this.rules.push({ ...spec, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  /** Pending rules (for introspection). */
  list(): FaultSpec[] {
    return this.rules.map(({ remaining, ...r }) => ({ ...r, times: remaining }));
  }

  /** Takes the first matching rule for this call, if any. */
  take(toolName: string): FaultSpec | undefined {
    const i = this.rules.findIndex((r) => (!r.tool || r.tool === toolName) && r.remaining > 0);
    if (i < 0) return undefined;
    const rule = this.rules[i];
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(i, 1);
    const { remaining: _r, ...spec } = rule;
    return spec;
  }
}
