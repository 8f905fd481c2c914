#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof`, written to .cache/bench/prof/):
// self time per function and per package, so a missed target can be traced to code.
//
//   node bench/profile-summary.mjs <file.cpuprofile> [top=25] [inclusive-filter-regexp]
import { readFileSync } from 'node:fs';

const [file, topArg, filter] = process.argv.slice(2);
const top = Number(topArg) || 25;
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i += 1) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const perFunction = new Map();
const perPackage = new Map();
for (const [id, micros] of self) {
  const { callFrame } = byId.get(id);
  const where = callFrame.url
    ? `${shorten(callFrame.url)}:${callFrame.lineNumber + 1}`
    : '';
  const key = `${callFrame.functionName || '(anonymous)'} ${where}`.trim();
  perFunction.set(key, (perFunction.get(key) ?? 0) + micros);
  const pkg = packageOf(callFrame.url, callFrame.functionName);
  perPackage.set(pkg, (perPackage.get(pkg) ?? 0) + micros);
}
const print = (title, map, n) => {
  process.stdout.write(`\n${title}\n`);
  for (const [key, micros] of [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)) {
    process.stdout.write(
      `${((micros / total) * 100).toFixed(1).padStart(6)} %  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}\n`,
    );
  }
};
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n`);
print('by package', perPackage, 20);
print('by function (self time)', perFunction, top);
if (filter) {
  print(
    `inclusive time of functions matching /${filter}/`,
    inclusive(new RegExp(filter)),
    top,
  );
}

/** Per function: time of the samples with that function anywhere on the stack (counted once). */
function inclusive(pattern) {
  const parent = new Map();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parent.set(child, node.id);
    }
  }
  const result = new Map();
  for (let i = 0; i < profile.samples.length; i += 1) {
    const seen = new Set();
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const { callFrame } = byId.get(id);
      const key = `${callFrame.functionName || '(anonymous)'} ${shorten(callFrame.url)}:${callFrame.lineNumber + 1}`;
      if (!seen.has(key) && pattern.test(key)) {
        seen.add(key);
        result.set(key, (result.get(key) ?? 0) + (deltas[i] ?? 0));
      }
    }
  }
  return result;
}

function shorten(url) {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/dist\//, 'dist/');
}

function packageOf(url, name) {
  if (!url) {
    return name.startsWith('(') ? name : '(native)';
  }
  const path = url.replace(/^file:\/\//, '');
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (nm) {
    return nm[1];
  }
  if (path.includes('/dist/')) {
    return 'bridge (dist/)';
  }
  return path.startsWith('node:') ? 'node core' : path;
}
