import { z } from 'zod';
import type { DecoderDescriptor } from '../decoders/decoder-descriptor.js';
import type { Profile } from '../profiles/profile.js';
import type { SinkDescriptor } from '../sinks/sink-descriptor.js';
import type { SourceDescriptor } from '../sources/source-descriptor.js';

/** The plugin lists help is written from: the shipped registries, or a test's lists with a plugin of its own. */
export interface Plugins {
  sources: readonly SourceDescriptor[];
  decoders: readonly DecoderDescriptor[];
  sinks: readonly SinkDescriptor[];
  profiles: readonly Profile[];
}

/** The kinds `sluice plugins KIND` lists. */
export const PLUGIN_KINDS = ['sources', 'decoders', 'sinks', 'profiles'] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** One setting of a plugin, as its zod schema documents it. */
export interface SettingHelp {
  name: string;
  /** `number`, `string`, `boolean`, ... */
  type: string;
  description: string;
  example: unknown;
  /** The default, when the field has one. */
  default?: unknown;
  optional: boolean;
}

interface FieldDef {
  type: string;
  innerType?: z.ZodType;
  defaultValue?: unknown;
}

const defOf = (field: z.ZodType): FieldDef => (field as unknown as { def: FieldDef }).def;

/** The settings of a plugin from its zod object schema: `.describe()` text, example, type and default. */
export function settingsOf(schema: z.ZodType): SettingHelp[] {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
  return Object.entries(shape).map(([name, field]) => {
    let def = defOf(field);
    let optional = false;
    let fallback: unknown;
    while ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable') && def.innerType) {
      if (def.type === 'default') fallback = def.defaultValue;
      else optional = true;
      def = defOf(def.innerType);
    }
    const example = z.globalRegistry.get(field)?.example ?? field.meta()?.example;
    return { name, type: def.type, description: field.description ?? '', example, optional, ...(fallback !== undefined ? { default: fallback } : {}) };
  });
}

/** The capabilities a plugin has, by name (those set to true). */
function capabilityNames(capabilities: object): string[] {
  return Object.entries(capabilities)
    .filter(([, on]) => on === true)
    .map(([name]) => name);
}

/** Lines of a plugin's settings, indented; a note on the schema when it has no field. */
function settingLines(schema: z.ZodType, none: string): string[] {
  const settings = settingsOf(schema);
  if (settings.length === 0) return [`    ${schema.description ?? none}`];
  return settings.map((s) => {
    const extras = [s.type, s.default !== undefined ? `default ${JSON.stringify(s.default)}` : s.optional ? 'optional' : 'required', `e.g. ${JSON.stringify(s.example)}`];
    return `    ${s.name} (${extras.join(', ')}): ${s.description}`;
  });
}

function block(title: string, lines: string[]): string {
  return [title, ...lines].join('\n');
}

/** The lines of one plugin: its name and summary, where it is picked, capabilities, extra lines, settings. */
function pluginLines(
  d: { name: string; summary: string; settings: z.ZodType; capabilities: object },
  picked: string,
  extra: string[],
  settingsTitle: string,
  none: string,
): string[] {
  return [
    `  ${d.name}: ${d.summary}`,
    `    ${picked}`,
    `    capabilities: ${capabilityNames(d.capabilities).join(', ') || 'none'}`,
    ...extra.map((l) => `    ${l}`),
    `    ${settingsTitle}:`,
    ...settingLines(d.settings, none).map((l) => `  ${l}`),
  ];
}

/** Every sink: its `--into` URL, what it is, its capabilities, the profiles it takes and its settings. */
export function sinksHelp(sinks: readonly SinkDescriptor[], profiles: readonly Profile[]): string {
  const lines = sinks.flatMap((s) => {
    const takes = profiles.filter((p) => s.supports(p)).map((p) => p.name);
    const picked = `--into ${s.example}   (schemes ${s.schemes.join(' ')})`;
    return pluginLines(s, picked, [`profiles: ${takes.join(', ') || 'none shipped'}`], 'settings (in the URL query, ?name=value)', 'none beyond the URL');
  });
  return block('Sinks (--into URL):', lines);
}

/** Every source: the input that chooses it, what it is, its capabilities and settings. */
export function sourcesHelp(sources: readonly SourceDescriptor[]): string {
  const lines = sources.flatMap((s) => {
    const picked = `input: ${s.example}   (${s.schemes.length > 0 ? `schemes ${s.schemes.join(' ')}` : 'a local path'})`;
    return pluginLines(s, picked, [], 'settings', 'none beyond the input');
  });
  return block('Sources (the input of ingest, follow, spool --from, consume):', lines);
}

/** Every decoder, in the order units are sniffed: what it reads, its capabilities and settings. */
export function decodersHelp(decoders: readonly DecoderDescriptor[]): string {
  const lines = decoders.flatMap((d) => pluginLines(d, `e.g. ${d.example}   (told by its content, never by the name alone)`, [], 'settings', 'none'));
  return block('Decoders (units are sniffed in this order):', lines);
}

/** Every profile and the sinks it goes into. */
export function profilesHelp(profiles: readonly Profile[], sinks: readonly SinkDescriptor[]): string {
  const lines = profiles.flatMap((p) => [
    `  ${p.name}: ${p.description}`,
    `    sinks: ${sinks.filter((s) => s.supports(p)).map((s) => s.name).join(', ')}`,
  ]);
  return block('Profiles (--profile NAME):', lines);
}

/** The listing of `sluice plugins [KIND]`: one kind, or all of them. */
export function pluginsHelp(plugins: Plugins, kind?: PluginKind): string {
  const parts: Record<PluginKind, () => string> = {
    sources: () => sourcesHelp(plugins.sources),
    decoders: () => decodersHelp(plugins.decoders),
    sinks: () => sinksHelp(plugins.sinks, plugins.profiles),
    profiles: () => profilesHelp(plugins.profiles, plugins.sinks),
  };
  return (kind ? [parts[kind]()] : PLUGIN_KINDS.map((k) => parts[k]())).join('\n\n');
}

/** One line per sink for `--into`: its name and an example URL. */
export function intoHelp(sinks: readonly SinkDescriptor[]): string {
  return `sink URL: ${sinks.map((s) => s.example).join(' | ')} (sluice plugins sinks: each one's settings)`;
}

/** The first clause of a profile's description, for one-line lists (`bridge (Bridge NDJSON events)`). */
export function profileList(profiles: readonly Profile[]): string {
  return profiles.map((p) => `${p.name} (${p.description.split(/ \(| into /)[0]})`).join(', ');
}
