import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { composeServices, type CompositionResult } from '@apollo/composition';
import {
  getLocation,
  Kind,
  parse,
  printSchema,
  type ASTNode,
  type DocumentNode,
  type GraphQLError,
  type Source,
} from './graphql-js.js';
import { parse as parseYaml } from 'yaml';

/** One subgraph as rover-config.yaml lists it. */
export interface SubgraphSource {
  name: string;
  url: string;
  file: string;
  sdl: string;
}

/** Where in a subgraph's SDL an issue points. */
export interface IssueLocation {
  subgraph: string;
  line: number;
  column: number;
  /** The schema coordinate of the definition at that place, when it is one. */
  coordinate?: string;
}

export interface ComposeIssue {
  code: string;
  message: string;
  /** Subgraphs named by the issue, when composition says which. */
  subgraphs: string[];
  /** Schema coordinates (Type.field) the issue concerns, when known. */
  coordinates: string[];
  /** Places in the subgraph SDLs the issue points at, when composition kept them. */
  locations: IssueLocation[];
}

export interface ComposeOutcome {
  sources: SubgraphSource[];
  supergraphSdl?: string;
  apiSdl?: string;
  errors: ComposeIssue[];
  hints: ComposeIssue[];
}

interface RoverConfig {
  subgraphs?: Record<string, { routing_url?: string; schema?: { file?: string } }>;
}

/** The subgraph entries of a rover config (name, url, schema file as written), without reading the files. */
export function parseRoverConfig(text: string, label = 'rover-config.yaml'): Array<{ name: string; url: string; file: string }> {
  const config = parseYaml(text) as RoverConfig | null;
  if (!config?.subgraphs) throw new Error(`${label}: no "subgraphs" section`);
  return Object.entries(config.subgraphs).map(([name, entry]) => {
    const file = entry?.schema?.file;
    if (!file) throw new Error(`${label}: subgraph "${name}" has no schema.file (only file schemas compose offline)`);
    if (!entry.routing_url) throw new Error(`${label}: subgraph "${name}" has no routing_url`);
    return { name, url: entry.routing_url, file };
  });
}

/** Reads rover's supergraph config format (`subgraphs.<name>.routing_url` + `schema.file`). */
export function readRoverConfig(configPath: string, overrides: Record<string, string> = {}): SubgraphSource[] {
  const base = dirname(resolve(configPath));
  return parseRoverConfig(readFileSync(configPath, 'utf8'), configPath).map(({ name, url, file }) => {
    const path = resolve(base, file);
    return { name, url, file: path, sdl: overrides[name] ?? readFileSync(path, 'utf8') };
  });
}

/**
 * Lists the source range of every definition in a parsed SDL with its schema coordinate
 * (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`, `@directive`), so that the AST nodes
 * composition attaches to its errors can be named.
 */
export function coordinateIndex(doc: DocumentNode): CoordinateIndex {
  const index: CoordinateIndex = [];
  const put = (node: ASTNode, coordinate: string) => {
    if (node.loc) index.push({ start: node.loc.start, end: node.loc.end, coordinate });
  };
  for (const def of doc.definitions) {
    switch (def.kind) {
      case Kind.DIRECTIVE_DEFINITION:
        put(def, `@${def.name.value}`);
        for (const arg of def.arguments ?? []) put(arg, `@${def.name.value}(${arg.name.value}:)`);
        break;
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        put(def, def.name.value);
        for (const field of def.fields ?? []) {
          const fc = `${def.name.value}.${field.name.value}`;
          put(field, fc);
          for (const arg of field.arguments ?? []) put(arg, `${fc}(${arg.name.value}:)`);
        }
        break;
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_EXTENSION:
        put(def, def.name.value);
        for (const field of def.fields ?? []) put(field, `${def.name.value}.${field.name.value}`);
        break;
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION:
        put(def, def.name.value);
        for (const value of def.values ?? []) put(value, `${def.name.value}.${value.name.value}`);
        break;
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.UNION_TYPE_EXTENSION:
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_EXTENSION:
        put(def, def.name.value);
        break;
      default:
        break;
    }
  }
  return index;
}

/** Definitions of one SDL with the source range each covers. */
export type CoordinateIndex = Array<{ start: number; end: number; coordinate: string }>;

/** The innermost definition enclosing an offset: a named type inside a field points at the field. */
export function coordinateAt(index: CoordinateIndex, offset: number): string | undefined {
  let best: CoordinateIndex[number] | undefined;
  for (const entry of index) {
    if (entry.start <= offset && offset < entry.end && (!best || entry.end - entry.start < best.end - best.start)) best = entry;
  }
  return best?.coordinate;
}

interface ParsedSubgraph {
  name: string;
  doc: DocumentNode;
  source: Source | undefined;
  index: CoordinateIndex;
}

const COORDINATE_IN_QUOTES = /"(@?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?(?:\([A-Za-z_][A-Za-z0-9_]*:\))?)"/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Subgraphs the message names: `[name] ...` prefixes, `"name"` and `subgraph name`. */
function subgraphsNamedIn(message: string, names: string[]): string[] {
  return names.filter((n) => {
    const e = escapeRegExp(n);
    return new RegExp(`\\[${e}\\]|"${e}"|\\bsubgraphs? ${e}\\b`).test(message);
  });
}

function issueFrom(
  code: string,
  message: string,
  nodes: readonly ASTNode[] | undefined,
  extraCoordinates: Array<string | undefined>,
  parsed: ParsedSubgraph[],
): ComposeIssue {
  const names = parsed.map((p) => p.name);
  const subgraphs = new Set<string>();
  const coordinates = new Set<string>();
  const locations: IssueLocation[] = [];
  for (const node of nodes ?? []) {
    const tagged = (node as ASTNode & { subgraph?: string }).subgraph;
    const owner =
      parsed.find((p) => tagged !== undefined && p.name === tagged) ??
      parsed.find((p) => p.source !== undefined && node.loc?.source === p.source) ??
      parsed.find((p) => node.loc !== undefined && p.source !== undefined && node.loc.source.body === p.source.body);
    if (!owner) continue;
    subgraphs.add(owner.name);
    if (!node.loc) continue;
    const coordinate = coordinateAt(owner.index, node.loc.start);
    if (coordinate) coordinates.add(coordinate);
    const { line, column } = getLocation(node.loc.source, node.loc.start);
    locations.push({ subgraph: owner.name, line, column, ...(coordinate ? { coordinate } : {}) });
  }
  for (const name of subgraphsNamedIn(message, names)) subgraphs.add(name);
  for (const c of extraCoordinates) if (c) coordinates.add(c);
  for (const m of message.matchAll(COORDINATE_IN_QUOTES)) {
    const candidate = m[1]!;
    // A quoted bare word is a coordinate only when it names a type; subgraph names are quoted too.
    if (candidate.includes('.') || candidate.startsWith('@') || /^[A-Z]/.test(candidate)) {
      if (!names.includes(candidate)) coordinates.add(candidate);
    }
  }
  return { code, message, subgraphs: [...subgraphs], coordinates: [...coordinates], locations };
}

/** Composes the subgraphs the way `rover supergraph compose` does, offline. */
export function composeSources(sources: SubgraphSource[]): ComposeOutcome {
  const errors: ComposeIssue[] = [];
  const parsed: ParsedSubgraph[] = [];
  for (const s of sources) {
    try {
      const doc = parse(s.sdl, { noLocation: false });
      parsed.push({ name: s.name, doc, source: doc.loc?.source, index: coordinateIndex(doc) });
    } catch (e) {
      const err = e as GraphQLError;
      const loc = err.locations?.[0];
      errors.push({
        code: 'INVALID_GRAPHQL',
        message: `[${s.name}] ${err.message}`,
        subgraphs: [s.name],
        coordinates: [],
        locations: loc ? [{ subgraph: s.name, line: loc.line, column: loc.column }] : [],
      });
    }
  }
  if (errors.length) return { sources, errors, hints: [] };
  const services = sources.map((s, i) => ({ name: s.name, url: s.url, typeDefs: parsed[i]!.doc }));
  const result: CompositionResult = composeServices(services);
  const hints = (result.hints ?? []).map((h) =>
    issueFrom(h.definition.code, h.message, h.nodes, [h.coordinate], parsed),
  );
  if (result.errors) {
    return {
      sources,
      errors: result.errors.map((e) =>
        issueFrom((e.extensions?.code as string | undefined) ?? 'COMPOSITION_ERROR', e.message, e.nodes, [], parsed),
      ),
      hints,
    };
  }
  const apiSchema = result.schema.toAPISchema().toGraphQLJSSchema();
  return {
    sources,
    supergraphSdl: result.supergraphSdl,
    apiSdl: printSchema(apiSchema),
    errors: [],
    hints,
  };
}

export function composeFromConfig(configPath: string, overrides?: Record<string, string>): ComposeOutcome {
  return composeSources(readRoverConfig(configPath, overrides));
}

/** One line per issue: `CODE [subgraphs] coordinates: message`, then where it points. */
export function formatComposeIssue(issue: ComposeIssue, fileOf: (subgraph: string) => string = (s) => s): string[] {
  const subgraphs = issue.subgraphs.length ? ` [${issue.subgraphs.join(', ')}]` : '';
  const coordinates = issue.coordinates.length ? ` ${issue.coordinates.join(', ')}` : '';
  const lines = [`${issue.code}${subgraphs}${coordinates}: ${issue.message}`];
  for (const l of issue.locations) {
    lines.push(`  at ${fileOf(l.subgraph)}:${l.line}:${l.column}${l.coordinate ? ` (${l.coordinate})` : ''}`);
  }
  return lines;
}
