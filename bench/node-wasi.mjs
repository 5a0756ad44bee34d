// Runs a WASI (preview1) command module under Node.js, as the V8 JIT
// reference for the Cairn benchmarks: node node-wasi.mjs MODULE [ARGS...]
// The module sees MODULE as argv[0], the rest as its arguments, and the
// current directory preopened as ".". Exits with the module's exit code.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: node node-wasi.mjs MODULE [ARGS...]');
  process.exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args: [file, ...args],
  env: {},
  preopens: { '.': '.' },
  returnOnExit: true,
});
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
const code = wasi.start(instance);
process.exit(code ?? 0);
