/** Where one write of the rep's stands, as the picker, a flow row, the interaction form and the store see it. */
export type WriteState =
  | { status: 'idle' }
  | { status: 'sending'; flowId?: string }
  /** Saved in the outbox; the backend was not reachable yet. */
  | { status: 'queued'; flowId?: string; entryId: string; message: string }
  | { status: 'done'; flowId?: string; message: string }
  | { status: 'refused'; flowId?: string; message: string; detail?: string; coolOff: boolean }
  | { status: 'error'; flowId?: string; message: string };

export const IDLE_WRITE: WriteState = { status: 'idle' };
