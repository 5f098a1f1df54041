#!/usr/bin/env node
// The `winnow` command. Node.js (22.18 and later) runs the TypeScript sources as they are, by
// stripping their types, so there is no build step to forget and no compiler at run time.
await import('../src/cli/main.ts');
