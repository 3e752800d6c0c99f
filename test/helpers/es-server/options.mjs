// The child's options: its first argv is JSON (see es-server-child.mjs for the fields).
export const options = JSON.parse(process.argv[2] ?? '{}');
export const version = options.version ?? '8.15.0';
export const major = Number(version.split('.')[0]);
export const keepSources = options.keepSources !== false;
export const autoCreate = options.autoCreate !== false;
export const expectedAuth = options.apiKey ? `ApiKey ${options.apiKey}` : undefined;
