/**
 * `pnpm mutation`: mutation testing of core's parsing, verification and authorization files,
 * without Stryker (Stryker 10 needs Node 22; this repository runs on Node 20). For each file it
 * finds, with the TypeScript parser, the places a mutant can go (operators swapped, conditions
 * forced true or false, boundaries moved, statements removed, literals, regexes and method calls
 * changed), then, one mutant at a time, writes the mutated file into a private copy of
 * `packages/core` under the system's temp directory and runs the tests that cover it with vitest,
 * stopping at the first failure. A mutant the tests do not notice survives. Survivors listed in
 * `scripts/mutation-equivalents.json` (with the reason they cannot change behaviour) are reported
 * as equivalent; any other survivor fails the run. The report goes to stdout and to
 * `scripts/mutation-report.md`.
 *
 * Usage: `pnpm mutation [--jobs N] [--only <file>[,<file>...]] [--list]`.
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORE = join(ROOT, 'packages/core');
const REPORT = join(ROOT, 'scripts/mutation-report.md');
const EQUIVALENTS = join(ROOT, 'scripts/mutation-equivalents.json');

/** The files under test, and the test files that cover each (plus every `mutation-*.test.ts`). */
const TARGETS = {
  'parse-authorization.ts': [
    'parse-authorization.test.ts',
    'verify-basic.test.ts',
    'authenticate.test.ts',
    'authenticate.property.test.ts',
  ],
  'verify-basic.ts': [
    'verify-basic.test.ts',
    'authenticate.test.ts',
    'authenticate.property.test.ts',
  ],
  'verify-token.ts': [
    'verify-token.test.ts',
    'token-cache.test.ts',
    'authenticate.test.ts',
    'authenticate.property.test.ts',
  ],
  'authorize.ts': ['authorize.test.ts', 'adapter-kit.test.ts', 'authenticate.test.ts'],
};

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const JOBS = Number(option('--jobs') ?? 2);
const ONLY = option('--only');
const LIST = args.includes('--list');

// ---------------------------------------------------------------------------------------------
// Finding mutants

/**
 * @typedef {{ file: string, start: number, end: number, replacement: string, operator: string,
 *   line: number, column: number, original: string, context: string }} Mutant
 */

const EQUALITY = { '===': ['!=='], '!==': ['==='], '==': ['!='], '!=': ['=='] };
const RELATIONAL = { '<': ['<=', '>='], '<=': ['<', '>'], '>': ['>=', '<='], '>=': ['>', '<'] };
const LOGICAL = { '&&': ['||'], '||': ['&&'], '??': ['&&'] };
const ARITHMETIC = { '+': ['-'], '-': ['+'], '*': ['/'], '/': ['*'], '%': ['*'] };
const METHODS = {
  some: 'every',
  every: 'some',
  startsWith: 'endsWith',
  endsWith: 'startsWith',
  toLowerCase: 'toUpperCase',
  toUpperCase: 'toLowerCase',
  min: 'max',
  max: 'min',
};

/** Every mutant of one source file. */
function findMutants(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  /** @type {Mutant[]} */
  const mutants = [];
  const lineOf = (pos) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const add = (node, replacement, operator, start = node.getStart(source), end = node.getEnd()) => {
    const line = lineOf(start);
    mutants.push({
      file,
      start,
      end,
      replacement,
      operator,
      line,
      column: source.getLineAndCharacterOfPosition(start).character + 1,
      original: text.slice(start, end),
      context: text.split('\n')[line - 1].trim(),
    });
  };

  const isCondition = (node) => {
    const p = node.parent;
    if (p === undefined) return false;
    return (
      ((ts.isIfStatement(p) || ts.isWhileStatement(p) || ts.isDoStatement(p)) &&
        p.expression === node) ||
      (ts.isForStatement(p) && p.condition === node) ||
      (ts.isConditionalExpression(p) && p.condition === node)
    );
  };

  function visit(node) {
    if (
      ts.isImportDeclaration(node) ||
      ts.isExportDeclaration(node) ||
      ts.isInterfaceDeclaration(node) ||
      ts.isTypeAliasDeclaration(node) ||
      ts.isTypeNode(node)
    ) {
      return;
    }
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.getText(source);
      const table = { ...EQUALITY, ...RELATIONAL, ...LOGICAL, ...ARITHMETIC };
      for (const other of table[op] ?? []) {
        add(node.operatorToken, other, `${op} -> ${other}`);
      }
      // Boundaries: a number compared or computed with moves by one.
      for (const side of [node.left, node.right]) {
        if (ts.isNumericLiteral(side) && (op in RELATIONAL || op in EQUALITY || op in ARITHMETIC)) {
          const n = Number(side.text);
          add(side, String(n + 1), `${side.text} -> ${n + 1}`);
          add(side, String(n - 1), `${side.text} -> ${n - 1}`);
        }
        if (
          (ts.isStringLiteral(side) || ts.isNoSubstitutionTemplateLiteral(side)) &&
          op in EQUALITY &&
          side.text !== ''
        ) {
          add(side, "''", `${side.getText(source)} -> ''`);
        }
      }
    }
    if (
      isCondition(node) &&
      !(node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword)
    ) {
      add(node, 'true', 'condition -> true');
      add(node, 'false', 'condition -> false');
    }
    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
      add(node, node.operand.getText(source), '!x -> x');
    }
    if (
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      [ts.SyntaxKind.PlusPlusToken, ts.SyntaxKind.MinusMinusToken].includes(node.operator)
    ) {
      const text = node.getText(source);
      add(
        node,
        text.includes('++') ? text.replace('++', '--') : text.replace('--', '++'),
        '++ <-> --',
      );
    }
    if (node.kind === ts.SyntaxKind.TrueKeyword) add(node, 'false', 'true -> false');
    if (node.kind === ts.SyntaxKind.FalseKeyword) add(node, 'true', 'false -> true');
    if (
      (ts.isExpressionStatement(node) ||
        ts.isThrowStatement(node) ||
        ts.isReturnStatement(node) ||
        ts.isBreakStatement(node) ||
        ts.isContinueStatement(node)) &&
      (ts.isBlock(node.parent) || ts.isCaseClause(node.parent) || ts.isIfStatement(node.parent))
    ) {
      add(node, ts.isIfStatement(node.parent) ? '{}' : '', 'statement removed');
    }
    if (ts.isCatchClause(node) && node.block.statements.length > 0) {
      add(node.block, '{}', 'catch block emptied');
    }
    if (ts.isArrayLiteralExpression(node) && node.elements.length > 0) {
      add(node, '[]', 'array emptied');
    }
    if (
      ts.isPropertyAccessExpression(node) &&
      METHODS[node.name.text] !== undefined &&
      ts.isCallExpression(node.parent)
    ) {
      add(node.name, METHODS[node.name.text], `.${node.name.text} -> .${METHODS[node.name.text]}`);
    }
    if (ts.isRegularExpressionLiteral(node)) regexMutants(node, add, source);
    ts.forEachChild(node, visit);
  }
  visit(source);
  return mutants;
}

/** Anchors removed, each quantifier removed, each character class negated. */
function regexMutants(node, add, source) {
  const literal = node.getText(source);
  const last = literal.lastIndexOf('/');
  const body = literal.slice(1, last);
  const flags = literal.slice(last + 1);
  const make = (newBody, operator) => add(node, `/${newBody}/${flags}`, `regex ${operator}`);
  if (body.startsWith('^')) make(body.slice(1), 'without ^');
  if (body.endsWith('$') && !body.endsWith('\\$')) make(body.slice(0, -1), 'without $');
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (body[i + 1] !== '^')
        make(`${body.slice(0, i + 1)}^${body.slice(i + 1)}`, `class at ${i} negated`);
      continue;
    }
    if ((c === '+' || c === '*' || c === '?') && i > 0 && body[i - 1] !== '(') {
      make(body.slice(0, i) + body.slice(i + 1), `quantifier ${c} at ${i} removed`);
    }
    if (c === '{') {
      const close = body.indexOf('}', i);
      if (close !== -1)
        make(
          body.slice(0, i) + body.slice(close + 1),
          `quantifier ${body.slice(i, close + 1)} removed`,
        );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Running mutants

/** A private copy of packages/core whose node_modules points at the real dependencies. */
function makeWorkspace() {
  const dir = mkdtempSync(join(tmpdir(), 'keyscope-mutation-'));
  cpSync(join(CORE, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(CORE, 'test'), join(dir, 'test'), { recursive: true });
  cpSync(join(CORE, 'package.json'), join(dir, 'package.json'));
  mkdirSync(join(dir, 'node_modules'));
  const link = (name, from) =>
    symlinkSync(
      realpathSync(join(from, 'node_modules', name)),
      join(dir, 'node_modules', name),
      'dir',
    );
  link('jose', CORE);
  link('vitest', ROOT);
  link('fast-check', ROOT);
  writeFileSync(
    join(dir, 'vitest.config.mjs'),
    "export default { test: { include: ['test/**/*.test.ts'], pool: 'threads', maxWorkers: 1, isolate: true } };\n",
  );
  return dir;
}

const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');

/** Runs the tests; resolves 'passed', 'failed' or 'timeout'. */
function runTests(dir, tests, timeout) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [VITEST, 'run', '--bail=1', '--reporter=dot', ...tests], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let output = '';
    child.stdout.on('data', (c) => {
      output = (output + c).slice(-4000);
    });
    child.stderr.on('data', (c) => {
      output = (output + c).slice(-4000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ result: 'timeout', output });
    }, timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ result: code === 0 ? 'passed' : 'failed', output });
    });
  });
}

function testsFor(file, dir) {
  const extra = readdirSync(join(dir, 'test')).filter((name) =>
    /^mutation-.*\.test\.ts$/.test(name),
  );
  return [...TARGETS[file], ...extra].map((name) => `test/${name}`);
}

// ---------------------------------------------------------------------------------------------

const files = Object.keys(TARGETS).filter((f) => ONLY === undefined || ONLY.split(',').includes(f));
/** @type {Record<string, Mutant[]>} */
const byFile = {};
for (const file of files) {
  const text = readFileSync(join(CORE, 'src', file), 'utf8');
  byFile[file] = findMutants(file, text);
}
if (LIST) {
  for (const [file, mutants] of Object.entries(byFile)) {
    console.log(`${file}: ${mutants.length} mutants`);
    for (const m of mutants) console.log(`  ${m.line}: ${m.operator}: ${m.context}`);
  }
  process.exit(0);
}

/** @type {{ file: string, operator: string, original: string, replacement: string, reason: string }[]} */
const equivalents = JSON.parse(readFileSync(EQUIVALENTS, 'utf8')).equivalents;
const equivalentReason = (m) =>
  equivalents.find(
    (e) =>
      e.file === m.file &&
      e.operator === m.operator &&
      e.context === m.context &&
      (e.column === undefined || e.column === m.column),
  )?.reason;

const workspaces = Array.from({ length: JOBS }, makeWorkspace);
const started = Date.now();
const results = [];
try {
  // The unmutated tests must pass, and give the time a mutant may take.
  const timeouts = {};
  for (const file of files) {
    const t0 = Date.now();
    const base = await runTests(workspaces[0], testsFor(file, workspaces[0]), 300_000);
    if (base.result !== 'passed') {
      console.error(`the tests of ${file} fail without any mutant:\n${base.output}`);
      process.exit(2);
    }
    timeouts[file] = Math.max(30_000, (Date.now() - t0) * 5);
    console.log(
      `${file}: ${byFile[file].length} mutants, tests pass in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  const queue = files.flatMap((file) => byFile[file]);
  let next = 0;
  let done = 0;
  await Promise.all(
    workspaces.map(async (dir) => {
      for (let i = next++; i < queue.length; i = next++) {
        const m = queue[i];
        const path = join(dir, 'src', m.file);
        const original = readFileSync(join(CORE, 'src', m.file), 'utf8');
        writeFileSync(path, original.slice(0, m.start) + m.replacement + original.slice(m.end));
        const { result } = await runTests(dir, testsFor(m.file, dir), timeouts[m.file]);
        writeFileSync(path, original);
        const status =
          result === 'passed' ? 'survived' : result === 'timeout' ? 'timeout' : 'killed';
        results.push({
          ...m,
          status,
          reason: status === 'survived' ? equivalentReason(m) : undefined,
        });
        done++;
        if (status === 'survived') {
          console.log(
            `  survived ${m.file}:${m.line}:${m.column} ${m.operator}: ${m.context}${equivalentReason(m) ? ' (equivalent)' : ''}`,
          );
        }
        if (done % 25 === 0)
          console.log(
            `  ${done}/${queue.length} mutants (${Math.round((Date.now() - started) / 1000)} s)`,
          );
      }
    }),
  );
} finally {
  for (const dir of workspaces) rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Report

const rows = [];
let unexplained = 0;
for (const file of files) {
  const list = results.filter((r) => r.file === file);
  const killed = list.filter((r) => r.status !== 'survived').length;
  const equivalent = list.filter((r) => r.status === 'survived' && r.reason).length;
  const survived = list.filter((r) => r.status === 'survived' && !r.reason).length;
  unexplained += survived;
  const score = list.length === 0 ? 100 : (killed / list.length) * 100;
  const covered =
    list.length - equivalent === 0 ? 100 : (killed / (list.length - equivalent)) * 100;
  rows.push({
    file,
    total: list.length,
    killed,
    timeout: list.filter((r) => r.status === 'timeout').length,
    equivalent,
    survived,
    score,
    covered,
  });
}
const total = rows.reduce(
  (a, r) => ({
    total: a.total + r.total,
    killed: a.killed + r.killed,
    equivalent: a.equivalent + r.equivalent,
  }),
  { total: 0, killed: 0, equivalent: 0 },
);
const survivors = results
  .filter((r) => r.status === 'survived')
  .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
const md = [
  '# Mutation testing of @keyscope/core',
  '',
  `Generated by \`pnpm mutation\` (\`scripts/mutation.mjs\`) on ${new Date().toISOString()}, in ${Math.round((Date.now() - started) / 1000)} s.`,
  'Each mutant is one change to one source file (operators swapped, conditions forced true or false,',
  'boundaries moved by one, statements removed, arrays emptied, literals, regexes and method calls',
  'changed), run against the tests that cover the file. The score is killed / all mutants; the',
  'score without equivalents is killed / (all mutants - equivalent ones), equivalent mutants being',
  'those that cannot change behaviour (each one listed below with its reason).',
  '',
  '| file | mutants | killed (of which timeouts) | equivalent | survived, unexplained | score | score without equivalents |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| \`src/${r.file}\` | ${r.total} | ${r.killed} (${r.timeout}) | ${r.equivalent} | ${r.survived} | ${r.score.toFixed(1)}% | ${r.covered.toFixed(1)}% |`,
  ),
  `| all | ${total.total} | ${total.killed} | ${total.equivalent} | ${unexplained} | ${((total.killed / Math.max(total.total, 1)) * 100).toFixed(1)}% | ${((total.killed / Math.max(total.total - total.equivalent, 1)) * 100).toFixed(1)}% |`,
  '',
  '## Surviving mutants',
  '',
  survivors.length === 0 ? 'None.' : '| file:line | mutation | code | why it survives |',
  ...(survivors.length === 0 ? [] : ['| --- | --- | --- | --- |']),
  ...survivors.map(
    (r) =>
      `| \`${r.file}:${r.line}:${r.column}\` | ${r.operator.replace(/\|/g, '\\|')} (\`${r.original.replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 60)}\` -> \`${r.replacement.replace(/\|/g, '\\|').slice(0, 40)}\`) | \`${r.context.replace(/\|/g, '\\|').slice(0, 100)}\` | ${r.reason ?? '**not explained: add a test**'} |`,
  ),
  '',
];
writeFileSync(REPORT, `${md.join('\n')}`);
spawn(
  process.execPath,
  [join(ROOT, 'node_modules/@biomejs/biome/bin/biome'), 'format', '--write', REPORT],
  { stdio: 'ignore' },
);
console.log('');
for (const r of rows) {
  console.log(
    `${r.file.padEnd(24)} ${String(r.total).padStart(4)} mutants, ${String(r.killed).padStart(4)} killed, ${r.equivalent} equivalent, ${r.survived} unexplained: score ${r.score.toFixed(1)}%, ${r.covered.toFixed(1)}% without equivalents`,
  );
}
console.log(`report: ${REPORT}`);
if (unexplained > 0) {
  console.log(`${unexplained} surviving mutant(s) not explained as equivalent`);
  process.exitCode = 1;
}
