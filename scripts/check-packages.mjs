#!/usr/bin/env node
// Runs publint and @arethetypeswrong/cli on every published (non-private) package, after build.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const failures = [];
for (const dir of readdirSync('packages')) {
  const pkgDir = join('packages', dir);
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  if (pkg.private) continue;
  for (const [cmd, args] of [
    ['publint', ['--strict']],
    ['attw', ['--pack', '.', '--profile', 'node16']],
  ]) {
    try {
      const out = execFileSync('pnpm', ['exec', cmd, ...args], {
        cwd: pkgDir,
        encoding: 'utf8',
        stdio: 'pipe',
      });
      console.log(`ok   ${cmd} ${pkg.name}`);
      if (process.env.VERBOSE) console.log(out);
    } catch (error) {
      failures.push(`${cmd} ${pkg.name}`);
      console.error(`FAIL ${cmd} ${pkg.name}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
  }
}
if (failures.length > 0) {
  console.error(`package checks failed: ${failures.join(', ')}`);
  process.exit(1);
}
