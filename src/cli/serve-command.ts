import { Command } from 'commander';
import { validateConfig } from '../core/config/validate.js';
import { ServeConfigSchema } from '../server/serve-config.js';

interface ServeFlags {
  host?: string;
  port?: string;
  store?: string;
  registry?: string;
  maxVideoMb?: string;
  maxMetadataKb?: string;
  auth?: boolean;
  idleTimeoutSec?: string;
  requestTimeoutSec?: string;
  minBytesPerSec?: string;
  maxConnections?: string;
  logLevel?: string;
  reindex?: boolean;
  statusFile?: string;
}

const EXAMPLES = `
Examples:
  $ sluice serve --store file:/srv/ldo                                  # 127.0.0.1:8001, registry /srv/ldo/.sluice/registry.db
  $ SLUICE_API_KEYS=k1-secret,k2-secret sluice serve --host 0.0.0.0 --store s3://training/ldo --registry postgres://db/ldo
  $ curl -F "video=@clip.mp4" -F 'metadata={"ldo_id": "LDO-123"}' http://localhost:8001/ingest/ldo
  $ sluice serve --store file:/srv/ldo --reindex                        # rebuild the registry from ldo.json files

API: POST /ingest/ldo (multipart metadata + optional video), GET /ingest/list, GET /ingest/status/ID,
GET /ingest/ldo/ID, GET /ingest/ldo/ID/video (Range), DELETE /ingest/ID, GET /health, GET /metrics.
Environment: STORAGE_PATH (folder store), SLUICE_API_KEYS, AWS_ENDPOINT / AWS_REGION / AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY (S3). SIGINT/SIGTERM finish the requests in flight and exit 0.`;

/** `sluice serve`: the LDO upload service (in place of Context-Edge's data-ingestion service). */
export function serveCommand(): Command {
  return new Command('serve')
    .description('Serve the LDO upload API: stream uploads to a folder or S3, registered in SQLite or PostgreSQL')
    .option('--host <addr>', 'address to bind (default 127.0.0.1; others need SLUICE_API_KEYS or --no-auth)')
    .option('--port <n>', 'TCP port (default 8001; 0 picks a free one)')
    .option('--store <url>', 'file:DIR or s3://bucket/prefix (default file:$STORAGE_PATH)')
    .option('--registry <url>', 'sqlite:PATH or postgres://URL[?schema=NAME] (default a SQLite file in a file: store)')
    .option('--max-video-mb <n>', 'largest video accepted, MiB (default 512)')
    .option('--max-metadata-kb <n>', 'largest metadata accepted, KiB (default 256)')
    .option('--no-auth', 'serve without API keys even on a non-loopback host')
    .option('--idle-timeout-sec <n>', 'cut off a client that sends nothing this long (default 30)')
    .option('--request-timeout-sec <n>', 'longest time to receive one request (default 3600)')
    .option('--min-bytes-per-sec <n>', 'cut off a request body slower than this over any idle-timeout window (default 1024; 0 = no floor)')
    .option('--max-connections <n>', 'open connections at most; more are closed at once (default 256)')
    .option('--log-level <level>', 'JSON request log on stdout: fatal|error|warn|info|debug|silent (default info)')
    .option('--status-file <path>', 'JSON status (uploads stored, replayed, rejected), replaced atomically every second')
    .option('--reindex', 'rebuild the registry from the store\'s ldo.json files, then exit')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: ServeFlags) => {
      const storagePath = process.env.STORAGE_PATH;
      const keys = (process.env.SLUICE_API_KEYS ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '');
      const config = validateConfig(ServeConfigSchema, {
        host: flags.host,
        port: flags.port,
        store: flags.store ?? (storagePath ? `file:${storagePath}` : undefined),
        registry: flags.registry,
        maxVideoMb: flags.maxVideoMb,
        maxMetadataKb: flags.maxMetadataKb,
        apiKeys: keys,
        noAuth: flags.auth === false,
        idleTimeoutSec: flags.idleTimeoutSec,
        requestTimeoutSec: flags.requestTimeoutSec,
        minBytesPerSec: flags.minBytesPerSec,
        maxConnections: flags.maxConnections,
        logLevel: flags.logLevel,
        reindex: flags.reindex === true,
        statusFile: flags.statusFile,
      });
      const { openService, startServer } = await import('../server/run-serve.js');
      if (config.reindex) {
        const service = await openService(config);
        try {
          const n = await service.reindex();
          process.stderr.write(`sluice serve: reindexed ${n} LDOs from ${service.store.url} into ${service.registry.description}\n`);
        } finally {
          await service.registry.close();
        }
        return;
      }
      const { withHarness } = await import('../jobs/run-harness.js');
      await withHarness({ job: 'serve', statusFile: config.statusFile, finishing: 'finishing the uploads in flight' }, async ({ bus, stop }) => {
        const server = await startServer(config, undefined, bus);
        process.stderr.write(`sluice serve: listening on ${server.url} (store ${server.service.store.url}, registry ${server.service.registry.description})\n`);
        bus.setPhase('serving');
        if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
        bus.setPhase('stopping');
        await server.close();
        bus.end('stopped');
        process.stderr.write('sluice serve: stopped\n');
      });
    });
}
