import { createServer, request, type IncomingMessage, type Server } from 'node:http';

/**
 * An HTTP proxy in front of an S3-compatible server that holds one object's download open: for a
 * GET of a path ending in `key` it sends the headers and the first `headBytes` of the body, then
 * waits for `release()`. The spool test's "open pipe": the unit is mid-read for as long as the test
 * wants, however fast the machine. Headers go through unchanged, so request signatures still match.
 */
export interface StallingProxy {
  /** `http://127.0.0.1:PORT`, to use as the endpoint. */
  endpoint: string;
  /** Resolves once the head of the held object has been sent. */
  stalled: Promise<void>;
  /** Sends the rest of the held object (and of any later GET of it, which is not held). */
  release(): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (an `http://host:port` endpoint). */
export async function startStallingProxy(target: string, key: string, headBytes: number): Promise<StallingProxy> {
  const to = new URL(target);
  let released = false;
  let onRelease: Array<() => void> = [];
  let stalledOnce: () => void = () => {};
  const stalled = new Promise<void>((resolve) => (stalledOnce = resolve));
  const server: Server = createServer((req, res) => {
    const upstream = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (up: IncomingMessage) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      const hold = req.method === 'GET' && (req.url ?? '').split('?')[0]?.endsWith(key) && !released;
      if (!hold) {
        up.pipe(res);
        return;
      }
      let sent = 0;
      up.on('data', (chunk: Buffer) => {
        if (sent >= headBytes) return;
        const head = chunk.subarray(0, headBytes - sent);
        sent += head.length;
        res.write(head);
        if (sent >= headBytes) {
          up.pause();
          const rest = chunk.subarray(head.length);
          onRelease.push(() => {
            res.write(rest);
            up.on('data', (c: Buffer) => res.write(c));
            up.once('end', () => res.end());
            up.resume();
          });
          stalledOnce();
        }
      });
      up.once('end', () => {
        if (sent < headBytes) res.end();
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stalled,
    release: () => {
      released = true;
      const todo = onRelease;
      onRelease = [];
      for (const f of todo) f();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
