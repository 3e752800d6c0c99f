import type { JetStreamManager } from '@nats-io/jetstream';
import { SluiceError } from '../../core/errors.js';
import { subjectMatches } from './nats-url.js';

/** What the sink needs of its stream. */
export interface StreamSpec {
  /** Stream name (`--stream`). */
  name: string;
  /** The subject rows are published on. */
  subject: string;
  /** JetStream's duplicate window: a `Nats-Msg-Id` seen within it is dropped, in seconds. */
  duplicateWindowSec: number;
}

/** JetStream's error code for "no such stream". */
const STREAM_NOT_FOUND = 10059;

/**
 * Makes sure the stream exists and takes `subject`: created when missing (file storage, the
 * duplicate window asked for), or the subject added to the subjects of an existing stream that does
 * not cover it yet (several edges publish on their own subjects into one stream).
 */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<void> {
  const { StorageType, RetentionPolicy } = await import('@nats-io/jetstream');
  const { nanos } = await import('@nats-io/transport-node');
  let subjects: string[];
  try {
    subjects = (await jsm.streams.info(spec.name)).config.subjects ?? [];
  } catch (err) {
    if ((err as { code?: number }).code !== STREAM_NOT_FOUND) throw err;
    try {
      await jsm.streams.add({
        name: spec.name,
        subjects: [spec.subject],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        duplicate_window: nanos(spec.duplicateWindowSec * 1000),
      });
      return;
    } catch (addErr) {
      // Another edge created it at the same moment: take it as it is.
      subjects = (await jsm.streams.info(spec.name).catch(() => { throw addErr; })).config.subjects ?? [];
    }
  }
  // Edges starting together each add their subject: an update made from a list read before another
  // edge's update drops that edge's subject, so read again until ours is there.
  for (let attempt = 0; ; attempt++) {
    if (subjects.some((s) => subjectMatches(s, spec.subject))) return;
    try {
      await jsm.streams.update(spec.name, { subjects: [...subjects, spec.subject] });
    } catch (err) {
      throw new SluiceError(
        'SLUICE_E_CONFIG',
        `--stream ${spec.name}: the stream takes ${subjects.join(', ')}, not ${spec.subject}, and could not be extended (${(err as Error).message}); choose another --stream or subject`,
        { cause: err },
      );
    }
    if (attempt >= 20) return; // publishing tells: "no responders" opens the sink again
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
    subjects = (await jsm.streams.info(spec.name)).config.subjects ?? [];
  }
}
