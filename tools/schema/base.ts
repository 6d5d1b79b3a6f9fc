// The schema to compare against: the subgraph SDLs as they are at a git ref, read with `git show`.
import { execFileSync } from 'node:child_process';
import { posix } from 'node:path';
import { parseRoverConfig, type SubgraphSource } from './compose.js';

function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

function commitOf(root: string, ref: string): string | undefined {
  return git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])?.trim() || undefined;
}

export interface BaseRef {
  /** What to pass to git. */
  ref: string;
  /** How the report names it. */
  label: string;
}

/** The merge-base with origin/main when that branch exists (what a pull request will be compared with), else HEAD. */
export function defaultBase(root: string): BaseRef {
  if (commitOf(root, 'origin/main')) {
    const mergeBase = git(root, ['merge-base', 'HEAD', 'origin/main'])?.trim();
    if (mergeBase) return { ref: mergeBase, label: `merge-base with origin/main (${mergeBase.slice(0, 10)})` };
  }
  return { ref: 'HEAD', label: 'HEAD' };
}

export type BaseSources =
  | { ok: true; commit: string; sources: SubgraphSource[]; notes: string[] }
  | { ok: false; reason: string };

/**
 * Reads `rover-config.yaml` and the subgraph SDL files it names as they are at `ref`. A subgraph
 * whose file does not exist at the base is new: it is left out of the base (everything it adds is an addition).
 */
export function readBaseSources(root: string, ref: string, configFile = 'rover-config.yaml'): BaseSources {
  const commit = commitOf(root, ref);
  if (!commit) {
    const noCommits = !commitOf(root, 'HEAD');
    return { ok: false, reason: noCommits ? `git ref "${ref}" does not exist (the repository has no commits yet)` : `git ref "${ref}" does not exist` };
  }
  const show = (path: string) => git(root, ['show', `${commit}:./${posix.normalize(path)}`]);
  const configText = show(configFile);
  if (configText === undefined) return { ok: false, reason: `${configFile} does not exist at ${ref} (${commit.slice(0, 10)})` };
  let entries: ReturnType<typeof parseRoverConfig>;
  try {
    entries = parseRoverConfig(configText, `${ref}:${configFile}`);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  const configDir = posix.dirname(configFile);
  const sources: SubgraphSource[] = [];
  const notes: string[] = [];
  for (const entry of entries) {
    const path = posix.join(configDir, entry.file);
    const sdl = show(path);
    if (sdl === undefined) {
      notes.push(`subgraph "${entry.name}" has no schema at the base (${path}): treated as new`);
      continue;
    }
    sources.push({ name: entry.name, url: entry.url, file: `${ref}:${path}`, sdl });
  }
  if (!sources.length) return { ok: false, reason: `no subgraph schema exists at ${ref} (${commit.slice(0, 10)})` };
  return { ok: true, commit, sources, notes };
}
