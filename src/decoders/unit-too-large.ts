import { SluiceError } from '../core/errors.js';

/** A unit over `--max-unit-bytes`: FAILED for good (a retry would unpack or download the same bytes). */
export function unitTooLarge(name: string, maxBytes: number, how: string): SluiceError {
  return new SluiceError('SLUICE_E_SOURCE', `${name}: unit_too_large: ${how} to more than --max-unit-bytes ${maxBytes}; stopped there`, {
    because: 'unit_too_large',
  });
}
