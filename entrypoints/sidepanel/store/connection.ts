/**
 * Connection slice: the settings the panel runs with, whether the backend answers (the header's status pill),
 * and the rep's Gong connection (checked, and connected through the backend's magic link).
 */
import type { Connection, Me, TokenRefusal } from '../../../lib/api';
import { BackendError } from '../../../lib/backend-error';
import { explainFailure } from '../../../components/format';

export { TOKEN_REJECTED } from '../../../components/format';
import { idle, type GetState, type Load, type Runtime, type SetState } from './runtime';

/** What the panel last saw of the backend: a read that could not reach it makes it 'unreachable'. */
export type Reachability = 'unknown' | 'ok' | 'unreachable';

export interface ConnectionSlice {
  settingsLoaded: boolean;
  configured: boolean;
  backendUrl: string;
  repEmail: string;
  connection: Load<Connection>;
  /** Who the token belongs to (GET /me), for what the role allows; null until the backend has said. */
  me: Me | null;
  /** The sign-in ended (the backend refused the token as revoked or expired): the set-up screen says so. */
  signedOut: TokenRefusal | null;
  backend: Reachability;
  awaitingAuth: boolean;
  connectError: string | null;
  setSettings(s: { configured: boolean; backendUrl: string; repEmail: string }): void;
  loadConnection(): Promise<void>;
  loadMe(): Promise<void>;
  connectGong(): Promise<void>;
  /** Records whether the backend answered; coming back refreshes what may be stale and sends what waited. */
  sawBackend(ok: boolean): void;
  /** An error says the backend is down (no answer) or up (it answered, e.g. 4xx / 5xx), or that the sign-in ended. */
  sawError(e: unknown): void;
}

/** What this slice asks of the others. */
interface Needs {
  reloadAll(): void;
  loadFlows(opts?: { silent?: boolean }): Promise<void>;
  loadCalls(opts?: { silent?: boolean }): Promise<void>;
  loadCatalog(opts?: { force?: boolean }): Promise<void>;
  resetReads(): void;
  retryPending(): void;
  notify(tone: 'success', text: string): void;
}

/** The header's status pill: what the panel last saw of the backend and of Gong. */
export interface StatusPill {
  tone: 'ok' | 'offline' | 'warning' | 'none';
  label: string;
  /** Second half of the label, e.g. "changes are saved and will be sent". */
  detail?: string;
  title?: string;
}

/** Managers (for their team) and admins may name another flow owner; a rep assigns in their own name only. */
export const mayChooseOwner = (s: Pick<ConnectionSlice, 'me'>) => s.me?.role === 'manager' || s.me?.role === 'admin';

export function statusPill(s: Pick<ConnectionSlice, 'configured' | 'backend' | 'connection'>): StatusPill {
  if (!s.configured) return { tone: 'none', label: '' };
  if (s.backend === 'unreachable')
    return { tone: 'offline', label: 'Offline', detail: 'changes are saved and will be sent', title: "Can't reach the Gong backend. Your changes are saved and will be sent when it's back." };
  const c = s.connection.data;
  if (c?.status === 'ACTIVE') return { tone: 'ok', label: 'Connected', title: `Connected${c.identifier ? ` as ${c.identifier}` : ''}` };
  if (c) return { tone: 'warning', label: 'Gong not connected', title: 'Connect Gong to see and change flows and calls.' };
  if (s.connection.status === 'error') return { tone: 'warning', label: 'Backend problem', title: s.connection.error ?? undefined };
  return { tone: 'none', label: '' };
}

/** A failure in words a rep can act on. */
export function errorMessage(e: unknown): string {
  if (e instanceof BackendError) return explainFailure(e);
  if (e instanceof Error && /receiving end does not exist|could not establish connection/i.test(e.message))
    return "The extension's background isn't responding. Reload the extension and try again.";
  return e instanceof Error ? e.message : String(e);
}

export const isNotConnected = (e: unknown) => e instanceof BackendError && e.code === 'GONG_NOT_CONNECTED';

export function createConnectionSlice(rt: Runtime, set: SetState<ConnectionSlice & Needs>, get: GetState<ConnectionSlice & Needs>): ConnectionSlice {
  let probing = false;
  /** While unreachable, ask again every few seconds so the header recovers without a click. */
  async function probe() {
    if (probing) return;
    probing = true;
    try {
      while (!rt.disposed && get().backend === 'unreachable') {
        await rt.wait(rt.probeMs);
        if (rt.disposed || get().backend !== 'unreachable') break;
        await get().loadConnection();
      }
    } finally {
      probing = false;
    }
  }

  return {
    settingsLoaded: false,
    configured: false,
    backendUrl: '',
    repEmail: '',
    connection: idle(),
    me: null,
    signedOut: null,
    backend: 'unknown',
    awaitingAuth: false,
    connectError: null,

    setSettings(s) {
      const prev = get();
      set({ settingsLoaded: true, configured: s.configured, backendUrl: s.backendUrl, repEmail: s.repEmail, ...(s.configured ? { signedOut: null } : {}) });
      if (!prev.settingsLoaded || prev.configured !== s.configured || prev.backendUrl !== s.backendUrl) {
        set({ connection: idle(), me: null });
        get().resetReads();
        get().reloadAll();
        void get().loadMe();
      }
    },

    sawBackend(ok) {
      const was = get().backend;
      if (ok) {
        if (was === 'ok') return;
        set({ backend: 'ok' });
        if (was === 'unreachable') {
          get().retryPending();
          void get().loadConnection();
          if (!get().me) void get().loadMe();
          void get().loadFlows({ silent: true });
          void get().loadCalls({ silent: true });
        }
        return;
      }
      if (was !== 'unreachable') set({ backend: 'unreachable' });
      void probe();
    },

    sawError(e) {
      if (e instanceof BackendError && e.kind === 'unreachable') get().sawBackend(false);
      else if (e instanceof BackendError && e.status != null) get().sawBackend(true);
      // Every read fails alike once the token is refused: the first one forgets it (the panel goes to set-up).
      if (e instanceof BackendError && e.code === 'UNAUTHENTICATED' && e.reason && get().configured && !get().signedOut) {
        set({ signedOut: e.reason });
        // Another token was stored meanwhile (the rep signed in again): that one is not refused, nothing to say.
        void rt.deps.forgetSignIn?.().then((forgot) => forgot || set({ signedOut: null }));
      }
    },

    async loadConnection() {
      const client = rt.deps.getClient();
      if (!client) return;
      const prev = get().connection;
      set({ connection: { ...prev, status: prev.data ? 'ready' : 'loading', refreshing: !!prev.data, error: null } });
      try {
        const data = await client.connection();
        get().sawBackend(true);
        const wasActive = prev.data?.status === 'ACTIVE';
        set({ connection: { status: 'ready', data, error: null, refreshing: false, at: rt.now(), key: null } });
        if (data.status === 'ACTIVE' && prev.data && !wasActive) {
          set({ awaitingAuth: false, connectError: null });
          get().notify('success', 'Gong is connected.');
          void get().loadFlows();
          void get().loadCalls();
          void get().loadCatalog({ force: true });
        }
      } catch (e) {
        get().sawError(e);
        set({ connection: { ...get().connection, status: prev.data ? 'ready' : 'error', error: errorMessage(e), refreshing: false } });
      }
    },

    async loadMe() {
      const client = rt.deps.getClient();
      if (!client) return;
      try {
        const me = await client.me();
        if (rt.deps.getClient() === client) set({ me });
      } catch (e) {
        // Unknown role: the panel offers only what a rep may do; the reads say what went wrong.
        get().sawError(e);
      }
    },

    async connectGong() {
      const client = rt.deps.getClient();
      if (!client) return;
      set({ connectError: null, awaitingAuth: true });
      try {
        const { link } = await client.connectionLink();
        await rt.deps.openTab?.(link);
      } catch (e) {
        set({ connectError: errorMessage(e), awaitingAuth: false });
        return;
      }
      // Poll until Gong says ACTIVE (the rep authorizes in the other tab), for up to 10 minutes.
      const until = rt.now() + 10 * 60_000;
      while (!rt.disposed && get().awaitingAuth && rt.now() < until) {
        await rt.wait(rt.pollMs);
        await get().loadConnection();
        if (get().connection.data?.status === 'ACTIVE') {
          set({ awaitingAuth: false });
          return;
        }
      }
      set({ awaitingAuth: false });
    },
  };
}
