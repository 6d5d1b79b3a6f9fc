// Where a process's CPU went, from a V8 .cpuprofile (bench:checkout --profile DIR writes one per
// service): self time grouped by package (or file of ours) and the top functions.
//   npx tsx bench/checkout/profile-summary.ts DIR/<file>.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';
import { args } from '../lib/stats.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--top N]');
const top = Number(args().get('top') ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));

function groupOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url;
  const ours = /\/(platform|subgraphs|gateway|hosts|contracts)\/(.*)$/.exec(url);
  return ours ? `${ours[1]}/${ours[2]!.split('/').slice(0, 2).join('/')}` : url;
}

const groups = new Map<string, number>();
const functions = new Map<string, number>();
let total = 0;
for (const [id, ms] of self) {
  const node = byId.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  total += ms;
  if (functionName === '(idle)') continue;
  const group = groupOf(url, functionName);
  groups.set(group, (groups.get(group) ?? 0) + ms);
  const key = `${functionName || '(anonymous)'} ${group}:${lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + ms);
}
const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((s, [, ms]) => s + ms, 0);
const busy = total - idle;
const rows = (m: Map<string, number>) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, ms]) => `  ${((100 * ms) / busy).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms  ${k}`).join('\n');
console.log(`${file}: ${busy.toFixed(0)} ms busy of ${total.toFixed(0)} ms\n\nby package / folder (self time)\n${rows(groups)}\n\ntop functions (self time)\n${rows(functions)}`);
