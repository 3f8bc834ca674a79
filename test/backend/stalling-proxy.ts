/**
 * A TCP proxy on loopback in front of the test Postgres that can go silent, as a network does when a route or a
 * NAT entry is lost or a database host vanishes mid-failover: nothing is refused and nothing is closed, bytes are
 * simply not delivered. What is sent while silent is lost, so a connection open across a silence is broken.
 */
import net from 'node:net';

export interface StallingProxy {
  /** `databaseUrl` with its host and port replaced by the proxy's. */
  url: string;
  /** From now on no byte passes, either way, on open or new connections. */
  silence(): void;
  /** Bytes pass again (a connection that was open during the silence has lost some). */
  restore(): void;
  close(): Promise<void>;
}

export async function startStallingProxy(databaseUrl: string): Promise<StallingProxy> {
  const target = new URL(databaseUrl);
  let silent = false;
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    track(client);
    track(upstream);
    client.on('data', (d) => {
      if (!silent) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!silent) client.write(d);
    });
    // A closed end is passed on only while bytes pass: a silent network delivers no FIN either.
    client.on('close', () => {
      if (!silent) upstream.destroy();
    });
    upstream.on('close', () => {
      if (!silent) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    silence: () => {
      silent = true;
    },
    restore: () => {
      silent = false;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
