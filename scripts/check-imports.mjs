#!/usr/bin/env node
// The floor plan's two rules, checked over every TypeScript file under src/ (part of `npm run lint`):
// 1. A file imports another top-level folder of src/ only through that folder's public face,
//    `<folder>/index.ts`; nothing imports the composition root (the files directly in src/).
// 2. No cycles between top-level folders: if `auth` imports `session`, nothing `session` imports
//    (directly or not) imports `auth`.
// `--graph` prints the folder graph (each folder and the folders it imports, lowest layer first).
// `--root <dir>` checks `<dir>/src` instead of this repository's (the script's own tests use it).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT_FILES = '(root)';

function parseArgs(argv) {
  const options = {
    root: fileURLToPath(new URL('../', import.meta.url)),
    graph: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--graph') {
      options.graph = true;
    } else if (argv[i] === '--root' && argv[i + 1] !== undefined) {
      options.root = resolve(argv[i + 1]);
      i += 1;
    } else {
      throw new Error(
        `unknown argument ${argv[i]} (use --graph, --root <dir>)`,
      );
    }
  }
  return options;
}

function sourceFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      files.push(...sourceFiles(path));
    } else if (/\.m?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      files.push(path);
    }
  }
  return files;
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The file a relative specifier names (`./x.js` is `./x.ts` in the sources), if it exists. */
function resolveImport(from, specifier) {
  const base = resolve(dirname(from), specifier);
  return [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    `${base}.ts`,
    join(base, 'index.ts'),
  ].find(isFile);
}

/** The top-level folder of a file under src/, or ROOT_FILES for the files directly in src/. */
function folderOf(src, file) {
  const parts = relative(src, file).split(sep);
  return parts.length > 1 ? parts[0] : ROOT_FILES;
}

/** Strongly connected components with more than one folder (Tarjan). */
function cycles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) {
        found.push(component.sort((a, b) => a.localeCompare(b)));
      }
    }
  };
  for (const node of [...graph.keys()].sort((a, b) => a.localeCompare(b))) {
    if (!index.has(node)) {
      visit(node);
    }
  }
  return found;
}

/**
 * Folders in layers, each after every folder it imports (cycles are reported elsewhere), as
 * `--graph` prints them: `depth  folder -> imports`.
 */
export function graphLines(graph) {
  return layers(graph).map(({ node, depth }) => {
    const deps = [...graph.get(node)].sort((a, b) => a.localeCompare(b));
    return `${String(depth).padStart(2)}  ${node.padEnd(14)} -> ${deps.length > 0 ? deps.join(', ') : '(nothing)'}`;
  });
}

function layers(graph) {
  const depth = new Map();
  const depthOf = (node, seen = new Set()) => {
    if (depth.has(node)) {
      return depth.get(node);
    }
    if (seen.has(node)) {
      return 0;
    }
    seen.add(node);
    const deps = [...(graph.get(node) ?? [])];
    const value =
      deps.length === 0
        ? 0
        : 1 + Math.max(...deps.map((d) => depthOf(d, seen)));
    depth.set(node, value);
    return value;
  };
  return [...graph.keys()]
    .map((node) => ({ node, depth: depthOf(node) }))
    .sort((a, b) => a.depth - b.depth || a.node.localeCompare(b.node));
}

/** Checks `<root>/src`: the number of files, the folder graph and every problem found. */
export function checkImports(root) {
  const src = join(root, 'src');
  const problems = [];
  /** folder -> folder -> the first import seen (for messages). */
  const edges = new Map();
  const files = sourceFiles(src);
  for (const file of files) {
    const from = folderOf(src, file);
    if (!edges.has(from)) {
      edges.set(from, new Map());
    }
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) {
        continue;
      }
      const target = resolveImport(file, fileName);
      if (target === undefined || relative(src, target).startsWith('..')) {
        continue; // outside src/ (a spec's test helper) or not a source file
      }
      const to = folderOf(src, target);
      if (to === from) {
        continue;
      }
      const where = `src/${relative(src, file).split(sep).join('/')}`;
      if (to === ROOT_FILES) {
        problems.push(
          `${where} imports ${fileName}: nothing may import the composition root (the files directly in src/)`,
        );
        continue;
      }
      if (target !== join(src, to, 'index.ts')) {
        problems.push(
          `${where} imports ${fileName}: import another folder only through its public face, src/${to}/index.ts`,
        );
      }
      const out = edges.get(from);
      if (!out.has(to)) {
        out.set(to, `${where} imports ${fileName}`);
      }
    }
  }
  const graph = new Map(
    [...edges].map(([from, out]) => [from, new Set(out.keys())]),
  );
  for (const component of cycles(graph)) {
    const members = new Set(component);
    const lines = component.flatMap((from) =>
      [...edges.get(from)]
        .filter(([to]) => members.has(to))
        .map(([to, example]) => `    ${from} -> ${to} (${example})`),
    );
    problems.push(
      `folders import each other: ${component.join(', ')}\n${lines.join('\n')}`,
    );
  }
  return { files: files.length, graph, problems };
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const { files, graph, problems } = checkImports(options.root);
  if (options.graph) {
    process.stdout.write(`${graphLines(graph).join('\n')}\n`);
  }
  if (problems.length > 0) {
    for (const problem of problems) {
      process.stderr.write(`check-imports: ${problem}\n`);
    }
    process.stderr.write(`check-imports: ${problems.length} problem(s)\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(
    `check-imports: ${files} files in ${graph.size} folders; every cross-folder import goes through an index.ts; no folder cycles\n`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main();
}
