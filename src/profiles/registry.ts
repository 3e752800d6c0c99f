import { SluiceError } from '../core/errors.js';
import { applogProfile } from './applog/index.js';
import { bridgeProfile } from './bridge/index.js';
import { cowrieProfile } from './cowrie/index.js';
import { postsProfile } from './posts/index.js';
import type { Profile } from './profile.js';

/** Every profile Sluice ships, in one explicit list (no registration by import side effects). */
export const PROFILES: readonly Profile[] = [bridgeProfile, applogProfile, cowrieProfile, postsProfile];

/** The profile called `name`, or a usage error that lists the ones there are. */
export function profileByName(name: string): Profile {
  const found = PROFILES.find((p) => p.name === name);
  if (!found) {
    throw new SluiceError(
      'SLUICE_E_UNKNOWN_PROFILE',
      `--profile: unknown profile "${name}"; expected one of: ${PROFILES.map((p) => p.name).join(', ')}`,
    );
  }
  return found;
}
