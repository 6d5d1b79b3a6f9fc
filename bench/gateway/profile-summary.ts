// Reads the V8 CPU profile of a process's main thread (node --cpu-prof) and prints where the CPU
// went, within given windows of time only (the timed rounds, not start-up or idle time between
// them): self and inclusive time by package (or project folder) and by function, as shares of the
// busy (non-idle) time.
//   tsx bench/gateway/profile-summary.ts <dir or file.cpuprofile> [top] [windows.json name]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** --cpu-prof writes one profile per thread, named CPU.<date>.<time>.<pid>.<thread>.<seq> (tsx's loader runs in a worker): thread 0 is the main one. */
function mainThreadProfile(path: string): { file: string; profile: Profile } {
  const file = statSync(path).isDirectory() ? readdirSync(path).find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f)) : path;
  if (!file) throw new Error(`no main-thread .cpuprofile in ${path}`);
  const full = statSync(path).isDirectory() ? join(path, file) : file;
  return { file: full, profile: JSON.parse(readFileSync(full, 'utf8')) as Profile };
}

/** The package a script belongs to (`@apollo/gateway`, `express`), `node:…` for Node's own, or the project folder. */
function moduleOf(url: string, root: string): string {
  if (!url) return '(native/vm)';
  if (url.startsWith('node:')) return url.startsWith('node:internal/') ? `node:${url.split('/')[1]}` : url;
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const at = path.lastIndexOf('node_modules/');
  if (at >= 0) {
    const [first, second] = path.slice(at + 'node_modules/'.length).split('/');
    return first!.startsWith('@') ? `${first}/${second}` : first!;
  }
  const rel = relative(root, path).split('/');
  return rel.length > 2 ? rel.slice(0, 3).join('/') : rel.join('/');
}

/** `windows`: [start, end] on the monotonic clock in µs (process.hrtime), as V8 stamps samples; all samples when absent. */
export function summarizeProfiles(path: string, title: string, root: string, windows?: [number, number][], top = 25): void {
  const { file, profile } = mainThreadProfile(path);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const fnKey = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url ? `${moduleOf(url, root)}/${url.split('/').pop()}:${lineNumber + 1}` : '';
    return `${functionName || '(anonymous)'} ${where}`.trim();
  };
  const special = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

  const selfFn = new Map<string, number>();
  const selfMod = new Map<string, number>();
  const inclFn = new Map<string, number>();
  const inclMod = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  const add = (map: Map<string, number>, key: string, v: number) => map.set(key, (map.get(key) ?? 0) + v);
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    at += profile.timeDeltas[i] ?? 0;
    if (windows && !windows.some(([from, to]) => at >= from && at <= to)) continue;
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const leaf = byId.get(profile.samples[i]!)!;
    if (leaf.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    busy += dt;
    const leafName = leaf.callFrame.functionName;
    add(selfFn, special.has(leafName) ? leafName : fnKey(leaf), dt);
    add(selfMod, special.has(leafName) ? leafName : moduleOf(leaf.callFrame.url, root), dt);
    const seenFn = new Set<string>();
    const seenMod = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id)!;
      if (special.has(node.callFrame.functionName)) continue;
      const f = fnKey(node);
      const m = moduleOf(node.callFrame.url, root);
      if (!seenFn.has(f)) seenFn.add(f), add(inclFn, f, dt);
      if (!seenMod.has(m)) seenMod.add(m), add(inclMod, m, dt);
    }
  }
  const print = (label: string, map: Map<string, number>, n: number) => {
    console.log(`  ${label}`);
    for (const [key, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      console.log(`    ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(2).padStart(7)} s  ${key}`);
    }
  };
  console.log(`CPU profile of ${title}${windows ? ', timed rounds only' : ''}: ${(busy / 1000).toFixed(1)} s busy, ${(idle / 1000).toFixed(1)} s idle (${relative(root, file)})`);
  print('self time by package / project folder', selfMod, top);
  print('inclusive time by package / project folder', inclMod, top);
  print('self time by function', selfFn, top);
  print('inclusive time by function', inclFn, top * 2);
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [path, top, windowsFile, name] = process.argv.slice(2);
  const windows = windowsFile ? (JSON.parse(readFileSync(windowsFile, 'utf8')) as Record<string, [number, number][]>)[name!] : undefined;
  summarizeProfiles(path!, path!, process.cwd(), windows, Number(top ?? 25));
}
