#!/usr/bin/env node
// The `winnow` command. Node.js (22.18 and later) runs the TypeScript sources as they are, by
// stripping their types, so there is no build step to forget and no compiler at run time.
// The compile cache keeps V8's code and the stripped sources on disk between starts (in the
// system's temporary folder, or NODE_COMPILE_CACHE), which roughly halves the time to import
// everything on the next start.
import module from 'node:module';

module.enableCompileCache?.();
await import('../src/cli/main.ts');
