import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { fileURLToPath } from 'node:url';

/** Options of the contract server; all optional. */
export interface EsContractServerOptions {
  /** Require `Authorization: ApiKey <apiKey>` on every REST request (admin endpoints stay open). */
  apiKey?: string;
  /** Serve HTTPS with this PEM certificate and key instead of HTTP. */
  tls?: { cert: string; key: string };
  /** Keep whole `_source`s (default true). false keeps a sha256 of the raw source line plus top-level scalars only. */
  keepSources?: boolean;
  /** Create missing indices on write, like ES (default true); false answers 404 index_not_found_exception per item. */
  autoCreate?: boolean;
  /** `version.number` reported by `GET /` (default '8.15.0'). */
  version?: string;
  /** Reject `compatible-with=N` headers outside [major, major-1] of `version` like a real cluster (default false). */
  strictCompat?: boolean;
}

/** One transient per-id rejection: the first `times` writes of that id answer `status`. */
export interface EsRejectSpec {
  /** 429 (es_rejected_execution_exception), 500 or 503; default 429. */
  status?: number;
  /** How many times to reject; default 1. */
  times?: number;
}

/** Faults on demand. Setting faults replaces the previous set and resets the every-nth counter. */
export interface EsFaults {
  /** Per bulk item `_id`: reject its first `times` writes with `status`, then accept. */
  rejectIds?: Record<string, EsRejectSpec>;
  /** Every nth bulk item (counted across requests from when set) gets `status` (default 429), until `times` rejections (default unlimited). */
  rejectEveryNth?: { n: number; status?: number; times?: number };
  /** The next `times` (default 1) `_bulk` requests fail as a whole with `status` (default 503); no item applied. */
  failRequests?: { status?: number; times?: number };
  /** The next `times` (default 1) `_search` answers leave out `_shards` (hits are whole). */
  searchWithoutShards?: { times?: number };
  /** The next `times` (default 1) `_search` requests fail with `status` (default 400). */
  failSearches?: { status?: number; times?: number };
  /** The next `times` (default 1) `_bulk` requests: body read, socket destroyed, no answer; no item applied. */
  dropConnections?: { times?: number };
  /** The next `times` (default 1) `_bulk` requests: items applied at once, answer delayed by `ms`. */
  slowMs?: { ms: number; times?: number };
  /** The next `times` (default 1) `_bulk` requests: held `ms` before their items are applied (a request in flight while others land). */
  holdMs?: { ms: number; times?: number };
  /** Per `_id`: every write answers this 4xx as mapper_parsing_exception (permanent). */
  reject4xxIds?: Record<string, number>;
}

/** One stored document as the dump endpoint returns it. */
export interface EsDumpedDoc {
  /** Concrete index holding the document. */
  _index: string;
  _id: string;
  /** The whole source, or only top-level scalars when started with keepSources:false. */
  _source: Record<string, unknown>;
  routing?: string;
  /** sha256 (hex) of the raw source line, only with keepSources:false (null after an update). */
  sha256?: string | null;
}

/** Counters since start or the last clear(). */
export interface EsContractStats {
  /** REST requests by normalised endpoint, e.g. `POST /{index}/_bulk`. */
  requests: Record<string, number>;
  bulkRequests: number;
  /** Decompressed `_bulk` body bytes. */
  bulkBytes: number;
  bulkItems: { byAction: Record<string, number>; byStatus: Record<string, number> };
  /** Faults fired, by fault name. */
  faultsFired: Record<string, number>;
  /** Current document count per concrete index. */
  docs: Record<string, number>;
}

/** One entry of the request log (the last 1,000 REST requests). */
export interface EsLoggedRequest {
  method: string;
  path: string;
  endpoint: string;
  status?: number;
  bytes?: number;
  items?: number;
  dropped?: boolean;
}

/** A running contract server in a child process. */
export interface EsContractServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The child's process id. */
  pid: number;
  /** Stops the child (kills it if it does not exit within 2 s). */
  stop(): Promise<void>;
  /** Replaces the active faults. */
  setFaults(faults: EsFaults): Promise<void>;
  /** Removes all faults. */
  clearFaults(): Promise<void>;
  /** Same as clearFaults. */
  resetFaults(): Promise<void>;
  /** Lets every bulk request that `holdMs` holds go on now; how many there were. */
  releaseHeld(): Promise<number>;
  /** The faults with their remaining counts. */
  faults(): Promise<EsFaults>;
  /** All documents of an index, alias or pattern, sorted by `_id`. */
  dump(index: string): Promise<EsDumpedDoc[]>;
  stats(): Promise<EsContractStats>;
  /** The last 1,000 REST requests, oldest first. */
  requests(): Promise<EsLoggedRequest[]>;
  /** Drops all indices, aliases, faults, stats and the request log. */
  clear(): Promise<void>;
}

/** Forks `es-server-child.mjs` and waits until it listens on 127.0.0.1 (a free port). */
export async function startEsContractServer(options: EsContractServerOptions = {}): Promise<EsContractServer> {
  const script = fileURLToPath(new URL('./es-server-child.mjs', import.meta.url));
  const child: ChildProcess = fork(script, [JSON.stringify(options)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`es contract server exited with ${code} before listening`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve((m as { url: string }).url);
    });
  });
  const agent = options.tls ? new https.Agent({ ca: options.tls.cert, keepAlive: false }) : undefined;

  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const target = new URL(path, url);
    const lib = target.protocol === 'https:' ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = lib.request(target, { method, agent, headers: payload ? { 'content-type': 'application/json' } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 400) reject(new Error(`${method} ${path} → ${res.statusCode}: ${text}`));
          else resolve(JSON.parse(text) as T);
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  };

  return {
    url,
    pid: child.pid ?? -1,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.connected) child.send('stop');
      else child.kill('SIGKILL');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
    setFaults: async (faults) => {
      await admin('POST', '/_contract/faults', faults);
    },
    clearFaults: async () => {
      await admin('DELETE', '/_contract/faults');
    },
    resetFaults: async () => {
      await admin('DELETE', '/_contract/faults');
    },
    releaseHeld: async () => (await admin<{ released: number }>('POST', '/_contract/release')).released,
    faults: () => admin<EsFaults>('GET', '/_contract/faults'),
    dump: (index) => admin<EsDumpedDoc[]>('GET', `/_contract/dump?index=${encodeURIComponent(index)}`),
    stats: () => admin<EsContractStats>('GET', '/_contract/stats'),
    requests: () => admin<EsLoggedRequest[]>('GET', '/_contract/requests'),
    clear: async () => {
      await admin('POST', '/_contract/clear');
    },
  };
}
