import { connect, type Socket } from 'node:net';

/** A raw TCP client of the test server: what it received, and whether the server closed it. */
export interface RawClient {
  socket: Socket;
  /** Everything received so far, as text. */
  received(): string;
  /** Resolves when the connection closes (by either side), with the ms since `open`. */
  closed: Promise<number>;
  /** Writes without failing when the server has already closed. */
  write(data: string | Buffer): void;
}

/** Connects to `url`'s port on 127.0.0.1. */
export async function openRaw(url: string): Promise<RawClient> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  const started = Date.now();
  let text = '';
  socket.on('data', (d: Buffer) => {
    text += d.toString('latin1');
  });
  socket.on('error', () => {}); // a reset by the server is an expected ending here
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => text,
    closed,
    write: (data) => {
      if (!socket.destroyed && socket.writable) socket.write(data);
    },
  };
}

/** Resolves with 'closed' if `p` settles within `ms`, else with 'open'. */
export async function closedWithin(p: Promise<unknown>, ms: number): Promise<'closed' | 'open'> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([p.then(() => 'closed' as const), new Promise<'open'>((resolve) => (timer = setTimeout(() => resolve('open'), ms)))]);
  clearTimeout(timer);
  return r;
}

/** The value of one labelled counter in a Prometheus text answer (0 when absent). */
export async function counterValue(url: string, name: string, label: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${label}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}
