#!/usr/bin/env node
// The `winnow` command. Node.js (22.18 and later) runs the TypeScript sources as they are, by
// stripping their types, so there is no build step to forget and no compiler at run time.
// The compile cache keeps V8's code and the stripped sources on disk between starts (in the
// system's temporary folder, or NODE_COMPILE_CACHE), which roughly halves the time to import
// everything on the next start; with every source in it, the type stripper is not even loaded.
import module from 'node:module';
import process from 'node:process';

// V8 grows the young generation to 64 MB semi-spaces (128 MB) under a burst of mail, the largest
// part of a busy Winnow's resident memory, although what survives a scavenge here is a few MB.
// Capped at 8 MB each, the backlog bench's peak went from about 400 MB to about 310 MB, with no
// difference in speed that stood out of the machine's noise (docs/BENCHMARKS.md, Backlog).
// The cap is read only when the process starts, so the command starts itself again with it, in
// the same process (execve), unless it was given one (node --max-semi-space-size=N).
const NODE_FLAGS = ['--max-semi-space-size=8'];
const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((flag) => flag.startsWith('--max-semi-space-size'));
if (!given && typeof process.execve === 'function') {
  process.execve(process.execPath, [process.execPath, ...NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)], process.env);
}

module.enableCompileCache?.();
await import('../src/cli/main.ts');
