import { Option } from 'commander';
import { PROFILES, profileByName } from '../profiles/registry.js';

/**
 * `--profile NAME`, checked against the profile registry: an unknown name is the catalogue's
 * `SLUICE_E_UNKNOWN_PROFILE` (exit 2, the profiles listed), as every other usage error is.
 */
export function profileOption(description: string, defaultName?: string): Option {
  const option = new Option('--profile <name>', `${description} (${PROFILES.map((p) => p.name).join(', ')})`).argParser((name: string) => {
    profileByName(name);
    return name;
  });
  return defaultName === undefined ? option : option.default(defaultName);
}
