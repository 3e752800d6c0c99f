/**
 * The AWS SDK prints an eight-line NodeVersionSupportWarning on Node 20 at the first S3 call. Sluice
 * supports Node 20 on purpose (see the README), so the user gets it as one line instead, once.
 */
export function quietNodeVersionWarning(): void {
  if (installed) return;
  installed = true;
  const emit = process.emitWarning.bind(process) as (warning: string | Error, ...rest: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/NodeVersionSupportWarning/.test(text)) {
      process.stderr.write(`sluice: note: AWS SDK releases after January 2027 need Node.js 22 or later (this is ${process.version})\n`);
      return;
    }
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

let installed = false;
