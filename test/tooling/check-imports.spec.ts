import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkImports, graphLines } from '../../scripts/check-imports.mjs';

const SCRIPT = new URL('../../scripts/check-imports.mjs', import.meta.url)
  .pathname;

const roots: string[] = [];

/** A throw-away tree: `files` maps paths under src/ to their contents. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'check-imports-'));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, 'src', path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return root;
}

/** A small floor plan that keeps both rules: app -> feature -> common, through index.ts files. */
const GOOD = {
  'main.ts':
    "import { Feature } from './feature/index.js';\nexport const app = Feature;\n",
  'common/index.ts': "export { clock } from './clock.js';\n",
  'common/clock.ts': 'export const clock = () => 0;\n',
  'feature/index.ts': "export { Feature } from './feature.js';\n",
  'feature/feature.ts':
    "import { clock } from '../common/index.js';\nimport type { Part } from './parts/part.js';\nexport class Feature { part?: Part; now = clock(); }\n",
  'feature/parts/part.ts': 'export interface Part { readonly name: string }\n',
};

/** The same plan with `common` importing `feature` back (a type-only import counts too). */
const CYCLE = {
  ...GOOD,
  'common/index.ts':
    "export { clock } from './clock.js';\nexport type { Part } from './uses-feature.js';\n",
  'common/uses-feature.ts':
    "import type { Feature } from '../feature/index.js';\nexport type Part = Feature;\n",
};

describe('scripts/check-imports.mjs (part of npm run lint)', () => {
  afterEach(() => {
    for (const root of roots.splice(0)) {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('should pass a tree that imports other folders only through their index.ts, without cycles, and lay out its graph', () => {
    const result = checkImports(tree(GOOD));
    expect(result.problems).toEqual([]);
    expect(graphLines(result.graph)).toEqual([
      ' 0  common         -> (nothing)',
      ' 1  feature        -> common',
      ' 2  (root)         -> feature',
    ]);
  });

  it("should refuse an import of another folder's internal file, naming the file and the index to use", () => {
    const { problems } = checkImports(
      tree({
        ...GOOD,
        'feature/feature.ts':
          "import { clock } from '../common/clock.js';\nexport class Feature { now = clock(); }\n",
      }),
    );
    expect(problems).toEqual([
      'src/feature/feature.ts imports ../common/clock.js: import another folder only through its public face, src/common/index.ts',
    ]);
  });

  it('should refuse folders that import each other, type-only imports included, and show each edge', () => {
    const { problems } = checkImports(tree(CYCLE));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('folders import each other: common, feature');
    expect(problems[0]).toContain(
      'common -> feature (src/common/uses-feature.ts imports ../feature/index.js)',
    );
    expect(problems[0]).toContain(
      'feature -> common (src/feature/feature.ts imports ../common/index.js)',
    );
  });

  it('should refuse a folder importing the composition root', () => {
    const { problems } = checkImports(
      tree({
        ...GOOD,
        'common/clock.ts':
          "import { app } from '../main.js';\nexport const clock = () => (app ? 0 : 1);\n",
      }),
    );
    expect(problems).toContainEqual(
      expect.stringContaining(
        'src/common/clock.ts imports ../main.js: nothing may import the composition root',
      ),
    );
  });

  it('should fail the lint step (exit 1, the problems on stderr) on a bad tree', async () => {
    const run = await new Promise<{ code: number; stderr: string }>(
      (resolve) => {
        execFile(
          process.execPath,
          [SCRIPT, '--root', tree(CYCLE)],
          (error, _stdout, stderr) => {
            resolve({ code: error ? Number(error.code) : 0, stderr });
          },
        );
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'check-imports: folders import each other: common, feature',
    );
    expect(run.stderr).toContain('check-imports: 1 problem(s)');
  });
});
