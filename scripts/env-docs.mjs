// Keeps the configuration reference honest: `.env.example` must list exactly the variables that
// src/config reads, docker-compose.yml must pass each of them to the bridge, and README.md's
// configuration table is generated from `.env.example`.
//
//   node scripts/env-docs.mjs          rewrite the README table
//   node scripts/env-docs.mjs --check  exit 1 if anything is out of step (CI and a test run this)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const START = '<!-- env-table:start -->';
const END = '<!-- env-table:end -->';

/** Parses `.env.example`: sections (`## name`), comment lines, then `NAME=` or `# NAME=default`. */
export function parseEnvExample(text) {
  const entries = [];
  let section = '';
  let comments = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const heading = /^##\s+(\S+)/.exec(line);
    if (heading) {
      section = heading[1];
      comments = [];
      continue;
    }
    const variable = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (variable && section) {
      entries.push({
        section,
        name: variable[2],
        required: variable[1] === undefined,
        value: variable[3],
        meaning: comments.join(' '),
      });
      comments = [];
      continue;
    }
    if (line.startsWith('#')) {
      comments.push(line.replace(/^#\s?/, ''));
    } else if (line === '') {
      comments = [];
    }
  }
  return entries;
}

/** Variable names src/config reads: every whole string literal in UPPER_SNAKE_CASE. */
export function variablesReadBySource() {
  const dir = join(root, 'src', 'config');
  const names = new Set();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.config.ts')) {
      continue;
    }
    const source = readFileSync(join(dir, file), 'utf8');
    for (const match of source.matchAll(
      /'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|PORT|HOST)'/g,
    )) {
      names.add(match[1]);
    }
  }
  return names;
}

export function renderTable(entries) {
  const rows = entries.map((e) => {
    const value = e.required
      ? `**required** (e.g. \`${e.value || '…'}\`)`
      : e.value
        ? `\`${e.value}\``
        : '—';
    return `| \`${e.name}\` | ${e.section} | ${value} | ${e.meaning.replaceAll('|', '\\|')} |`;
  });
  return [
    '| Variable | Module | Default | Meaning |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** Returns the problems found; an empty list means all is in step. */
export function check() {
  const problems = [];
  const entries = parseEnvExample(
    readFileSync(join(root, '.env.example'), 'utf8'),
  );
  const documented = new Set(entries.map((e) => e.name));
  const read = variablesReadBySource();
  for (const name of read) {
    if (!documented.has(name)) {
      problems.push(
        `${name} is read by src/config but missing from .env.example`,
      );
    }
  }
  for (const entry of entries) {
    if (!read.has(entry.name)) {
      problems.push(
        `${entry.name} is in .env.example but src/config never reads it`,
      );
    }
    if (!entry.meaning) {
      problems.push(
        `${entry.name} has no comment line explaining it in .env.example`,
      );
    }
  }
  // docker-compose.yml must hand every variable to the bridge, or a value set in .env never arrives.
  const compose = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
  const bridge = compose.slice(compose.indexOf('\n  bridge:'));
  for (const entry of entries) {
    if (!new RegExp(`^\\s+${entry.name}:`, 'm').test(bridge)) {
      problems.push(
        `${entry.name} is not passed to the bridge service in docker-compose.yml`,
      );
    }
  }
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const table = renderTable(entries);
  if (!readme.includes(`${START}\n${table}\n${END}`)) {
    problems.push(
      'the README configuration table is out of date: run `npm run docs:env`',
    );
  }
  return problems;
}

function write() {
  const path = join(root, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const at = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (at === -1 || end === -1) {
    throw new Error(`README.md needs the markers ${START} and ${END}`);
  }
  const entries = parseEnvExample(
    readFileSync(join(root, '.env.example'), 'utf8'),
  );
  writeFileSync(
    path,
    `${readme.slice(0, at)}${START}\n${renderTable(entries)}\n${readme.slice(end)}`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const problems = check();
    for (const problem of problems) {
      process.stderr.write(`env-docs: ${problem}\n`);
    }
    process.exit(problems.length === 0 ? 0 : 1);
  }
  write();
}
