/**
 * The seam between the Scalekit stand-in (transport, OAuth, connected accounts) and the Gong simulator
 * behind it. The stand-in turns a thrown GongHttpError (gong/http-error.ts) into a TOOL_ERROR as Scalekit sends it.
 */
export interface ToolContext {
  /** The connected account's identifier (the rep's email). */
  identifier: string;
  /** Scalekit execution id of this call, for Gong's requestId. */
  executionId: string;
}

export interface GongBackend {
  /** Runs one connector tool as Gong would; resolves to the tool's `data`, or throws GongHttpError. */
  execute(toolName: string, input: Record<string, unknown>, ctx: ToolContext): Promise<unknown>;
}
