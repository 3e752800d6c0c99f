import type { FastifyInstance } from 'fastify';
import { SluiceError } from '../core/errors.js';
import type { TelemetryBus } from '../core/telemetry-bus.js';
import { buildApp } from './build-app.js';
import { LdoService } from './ldo-service.js';
import { openRegistry, registryUrlFor } from './registry/open-registry.js';
import { isLoopbackHost, type HostResolver } from './loopback-host.js';
import type { ServeConfig } from './serve-config.js';
import { openStore } from './store/open-store.js';

/** A started service. */
export interface RunningServer {
  /** `http://host:port` it listens on. */
  url: string;
  app: FastifyInstance;
  service: LdoService;
  /** Stops accepting, waits for requests in flight, closes the registry. */
  close(): Promise<void>;
}

/** Opens the store and registry that a config names. */
export async function openService(config: ServeConfig): Promise<LdoService> {
  const store = await openStore(config.store);
  const registry = await openRegistry(registryUrlFor(config.registry, config.store));
  return new LdoService(store, registry, {
    maxVideoBytes: config.maxVideoMb * 1024 * 1024,
    maxMetadataBytes: config.maxMetadataKb * 1024,
  });
}

/**
 * Refuses to serve unauthenticated beyond loopback unless told to. The host is judged by its address:
 * a name is resolved, and every address it resolves to must be loopback (`127.0.0.1.nip.io` is a name).
 */
export async function checkAuthPolicy(config: ServeConfig, resolve?: HostResolver): Promise<void> {
  if (config.apiKeys.length > 0 || config.noAuth) return;
  if (!(await isLoopbackHost(config.host, resolve))) {
    throw new SluiceError(
      'SLUICE_E_AUTH_REQUIRED',
      `refusing to serve on ${config.host} without API keys: it is not (or does not resolve only to) a loopback address, so anyone on the network could upload and delete LDOs`,
    );
  }
}

/** Cleans debris of dead uploads, then listens. */
export async function startServer(config: ServeConfig, service?: LdoService, bus?: TelemetryBus): Promise<RunningServer> {
  await checkAuthPolicy(config);
  const svc = service ?? (await openService(config));
  try {
    const removed = await svc.recover().catch((err: unknown) => {
      throw new SluiceError('SLUICE_E_STORE', `cannot clean interrupted uploads in ${svc.store.url}: ${(err as Error).message}`, { cause: err });
    });
    const { app } = await buildApp(svc, {
      apiKeys: config.apiKeys,
      idleTimeoutMs: config.idleTimeoutSec * 1000,
      requestTimeoutMs: config.requestTimeoutSec * 1000,
      minBytesPerSec: config.minBytesPerSec,
      maxConnections: config.maxConnections,
      logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
      bus,
    });
    if (removed > 0) app.log.warn({ removed }, 'removed the bytes of uploads interrupted by an earlier stop');
    const address = await app.listen({ host: config.host, port: config.port });
    return {
      url: address,
      app,
      service: svc,
      close: async () => {
        await app.close();
        await svc.registry.close();
      },
    };
  } catch (err) {
    await svc.registry.close();
    throw err;
  }
}
