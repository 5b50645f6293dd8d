// `npx tsx scripts/bench/profile-summary.ts [--scenario=list] [--top=40]` after `npm run bench -- --cpu-prof …`:
// where the API's CPU goes per request, next to Yoga + Prisma's (the same client and page plan without our layers).
// Reads bench-results/profiles/<server>-<database>/*.cpuprofile and bench-results/latest.json (for req/s and CPU/req);
// --results=<folder> reads a saved copy instead.
// Only the measured stretch of each profile counts: the longest run of busy time spent serving requests (the
// scenario's warm-up and its measured seconds; servers in a group take turns, so the others' turns are idle).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from './processes.js';
import type { Row } from './report.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

interface Frame {
  /** Package, Node internals or V8 bucket the code belongs to. */
  area: string;
  /** `file:function:line` for our own code, else undefined. */
  ours?: string;
}

interface Summary {
  folder: string;
  windowSeconds: number;
  requests: number;
  processCpuMsPerRequest: number | undefined;
  /** Main-thread µs per request. */
  busyMicros: number;
  selfByArea: Map<string, number>;
  /** Every sample charged to the innermost frame of our own code on its stack (with what that frame called). */
  byOwnFrame: Map<string, number>;
  /** Inclusive time of each of our files' frames. */
  inclusiveByOwnFrame: Map<string, number>;
  /** Self time by area below the frames --under names. */
  selfUnder: Map<string, number>;
}

const option = (name: string, fallback: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const scenario = option('scenario', 'list');
const top = Number(option('top', '40'));
// --results=<folder>: a saved copy of bench-results/ (latest.json and profiles/) instead of the last run's.
const resultsRoot = option('results', join(projectRoot, 'bench-results'));
const profilesRoot = join(resultsRoot, 'profiles');
// --under=costOf: self time by area below the frames of ours whose name contains this.
const under = option('under', '');
const stretch = Number(option('stretch', '0'));
// The node:http handler and start-up frames sit below everything; charging samples to them says nothing.
const outerFrames = ['src/graceful-server.ts', 'src/server.ts', 'src/run-server.ts'];

const socketWrites = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString']);
const vmBuckets = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

function classify({ functionName, url, lineNumber }: CallFrame): Frame {
  if (vmBuckets.has(functionName) && !url) return { area: functionName };
  // The socket write calls: on loopback the kernel runs the receiver's TCP work inside the sender's system call.
  if (!url) return { area: socketWrites.has(functionName) ? '(socket writes, kernel)' : '(V8 builtins)' };
  if (url.startsWith('node:')) return { area: `node:${url.slice(5).split('/').slice(0, url.includes('internal/') ? 2 : 1).join('/').replace('internal/', '')}` };
  if (url.startsWith('wasm://')) return { area: 'wasm (Prisma query compiler)' };
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
    return { area: scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? url) };
  }
  const file = url.replace(/^file:\/\//, '').replace(`${projectRoot}/`, '').replace(/^\/work\/[^/]+\/[^/]+\//, '');
  if (file.includes('generated/prisma')) return { area: 'src/generated/prisma (Prisma client)' };
  const own = file.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
  const area = `ours: ${own}`;
  if (outerFrames.includes(own)) return { area };
  return { area, ours: `${own} ${functionName || '(anonymous)'}:${lineNumber + 1}` };
}

/**
 * The longest (or the --stretch'th) stretch of 200 ms buckets that are at least 20% busy (one quiet bucket allowed inside) and spent
 * serving requests (Yoga on the stack in at least 5% of it; much of serving runs in callbacks without Yoga below
 * them): start-up, module loading and compilation, can be as long as a scenario.
 */
function measuredWindow(profile: CpuProfile, idleNode: number | undefined, serving: (nodeId: number) => boolean): { from: number; to: number } {
  const bucketMicros = 200_000;
  const busy: number[] = [];
  const served: number[] = [];
  let time = 0;
  profile.samples.forEach((node, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    if (node === idleNode) return;
    const bucket = Math.floor(time / bucketMicros);
    busy[bucket] = (busy[bucket] ?? 0) + delta;
    if (serving(node)) served[bucket] = (served[bucket] ?? 0) + delta;
  });
  const share = (from: number, to: number) => {
    let servedMicros = 0;
    let busyMicros = 0;
    for (let bucket = from; bucket < to; bucket++) {
      servedMicros += served[bucket] ?? 0;
      busyMicros += busy[bucket] ?? 0;
    }
    return busyMicros === 0 ? 0 : servedMicros / busyMicros;
  };
  // Scenarios of at least 5 s each; with several scenarios in one run, --stretch=2 picks the second one.
  const stretches: { from: number; to: number }[] = [];
  let start: number | undefined;
  let quiet = 0;
  for (let bucket = 0; bucket <= busy.length; bucket++) {
    const isBusy = (busy[bucket] ?? 0) >= bucketMicros * 0.2;
    if (isBusy) {
      start ??= bucket;
      quiet = 0;
      continue;
    }
    if (start === undefined) continue;
    if (++quiet <= 1 && bucket < busy.length) continue;
    const end = bucket - quiet + 1;
    if (share(start, end) >= 0.05 && (end - start) * bucketMicros >= 5e6) stretches.push({ from: start, to: end });
    start = undefined;
    quiet = 0;
  }
  const chosen = stretch ? stretches[stretch - 1] : stretches.reduce<{ from: number; to: number } | undefined>((best, candidate) => (!best || candidate.to - candidate.from > best.to - best.from ? candidate : best), undefined);
  return chosen ? { from: chosen.from * bucketMicros, to: chosen.to * bucketMicros } : { from: 0, to: 0 };
}

const add = (map: Map<string, number>, key: string, micros: number) => map.set(key, (map.get(key) ?? 0) + micros);

async function summarise(folder: string, rows: Row[]): Promise<Summary | undefined> {
  const files = (await readdir(join(profilesRoot, folder))).filter((file) => file.endsWith('.cpuprofile'));
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: the main thread is 0 (tsx's loader runs in a worker).
  const file = files.sort().findLast((name) => name.split('.')[4] === '0');
  if (!file) return undefined;
  const profile = JSON.parse(await readFile(join(profilesRoot, folder, file), 'utf8')) as CpuProfile;
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const frames = new Map(profile.nodes.map((node) => [node.id, classify(node.callFrame)]));
  const nodeIndex = new Map(profile.nodes.map((node, index) => [node.id, index]));
  const idleNode = profile.nodes.find((node) => node.callFrame.functionName === '(idle)')?.id;
  const servingCache = new Map<number, boolean>();
  const serving = (nodeId: number): boolean => {
    let known = servingCache.get(nodeId);
    if (known === undefined) {
      const parent = parentOf.get(nodeId);
      known = frames.get(nodeId)?.area === 'graphql-yoga' || (parent !== undefined && serving(parent));
      servingCache.set(nodeId, known);
    }
    return known;
  };
  const window = measuredWindow(profile, idleNode, serving);

  const selfByArea = new Map<string, number>();
  const byOwnFrame = new Map<string, number>();
  const inclusiveByOwnFrame = new Map<string, number>();
  const selfUnder = new Map<string, number>();
  let busyMicros = 0;
  let time = 0;
  profile.samples.forEach((nodeId, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    if (time < window.from || time >= window.to || nodeId === idleNode) return;
    busyMicros += delta;
    const frame = frames.get(nodeId)!;
    add(selfByArea, frame.area, delta);
    let charged = false;
    let isUnder = false;
    const seen = new Set<string>();
    for (let id: number | undefined = nodeId; id !== undefined; id = parentOf.get(id)) {
      const ours = frames.get(id)?.ours;
      if (!ours) continue;
      if (!charged) {
        add(byOwnFrame, ours, delta);
        charged = true;
      }
      if (!seen.has(ours)) add(inclusiveByOwnFrame, ours, delta);
      seen.add(ours);
      if (under && ours.includes(under)) isUnder = true;
    }
    if (isUnder) add(selfUnder, `${frame.area} ${profile.nodes[nodeIndex.get(nodeId)!]!.callFrame.functionName}`, delta);
    if (!charged) add(byOwnFrame, `(no frame of ours) ${frame.area}`, delta);
  });

  const row = rows.find(
    (candidate) =>
      candidate.scenario === scenario &&
      candidate.runtime === 'Node 24' &&
      `${candidate.server}-${candidate.database}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') === folder,
  );
  const windowSeconds = (window.to - window.from) / 1e6;
  const requests = row ? row.requestsPerSecond * windowSeconds : Number.NaN;
  const perRequest = (map: Map<string, number>) => new Map([...map].map(([key, micros]) => [key, micros / requests]));
  return {
    folder,
    windowSeconds,
    requests,
    processCpuMsPerRequest: row?.cpuMsPerRequest,
    busyMicros: busyMicros / requests,
    selfByArea: perRequest(selfByArea),
    byOwnFrame: perRequest(byOwnFrame),
    inclusiveByOwnFrame: perRequest(inclusiveByOwnFrame),
    selfUnder: perRequest(selfUnder),
  };
}

const micros = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(0));

function table(title: string, summaries: Summary[], pick: (summary: Summary) => Map<string, number>, limit: number): string {
  const keys = new Set(summaries.flatMap((summary) => [...pick(summary).keys()]));
  const sorted = [...keys].sort((a, b) => (pick(summaries[0]!).get(b) ?? 0) - (pick(summaries[0]!).get(a) ?? 0)).slice(0, limit);
  const header = `| ${title} | ${summaries.map((summary) => `${summary.folder} µs/req`).join(' | ')} |`;
  const rule = `| --- | ${summaries.map(() => '---:').join(' | ')} |`;
  const lines = sorted.map((key) => `| ${key} | ${summaries.map((summary) => micros(pick(summary).get(key))).join(' | ')} |`);
  return [header, rule, ...lines].join('\n');
}

async function main() {
  const results = JSON.parse(await readFile(join(resultsRoot, 'latest.json'), 'utf8')) as { rows: Row[] };
  const folders = (await readdir(profilesRoot, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  // taskgraph first: tables sort by its figures.
  folders.sort((a, b) => Number(b === 'taskgraph-postgresql') - Number(a === 'taskgraph-postgresql'));
  const summaries = (await Promise.all(folders.map((folder) => summarise(folder, results.rows)))).filter((summary) => summary !== undefined);
  for (const summary of summaries) {
    console.log(
      `${summary.folder}: measured window ${summary.windowSeconds.toFixed(1)} s, ~${summary.requests.toFixed(0)} requests, ` +
        `main thread ${micros(summary.busyMicros)} µs/req busy, process CPU ${summary.processCpuMsPerRequest?.toFixed(2) ?? '–'} ms/req`,
    );
  }
  console.log(`\n${table('self time by area', summaries, (summary) => summary.selfByArea, top)}`);
  console.log(`\n${table('charged to our innermost frame', summaries, (summary) => summary.byOwnFrame, top)}`);
  console.log(`\n${table('inclusive, our frames', summaries, (summary) => summary.inclusiveByOwnFrame, top)}`);
  if (under) console.log(`\n${table(`self time below ${under}`, summaries, (summary) => summary.selfUnder, top)}`);
}

await main();
