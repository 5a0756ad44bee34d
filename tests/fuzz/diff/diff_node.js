// diff_node.js: the V8 side of the differential harness (run-diff.sh).
// usage: node diff_node.js FILE.wasm...
// Prints, per module, the block diff_cairn.c prints (see its header), from
// WebAssembly.Module/Instance. Exported functions are named
// f<i>:<params>:<results> by gen.py (letters i I f F), since the JS API has
// no type reflection; the argument pools repeat diff_cairn.c's.
'use strict';
const fs = require('fs');
const path = require('path');

const POOL_I32 = [0, 1, -1, 2, 7, -7, 100, 0x7fffffff, -0x80000000, 255, 65535, 65536, 3, -100,
  1000, 17];
const POOL_I64 = [0n, 1n, -1n, 2n, 7n, -7n, 100n, 0x7fffffffffffffffn, -0x8000000000000000n, 255n,
  0xffffffffn, 0x100000000n, 3n, -100n, 1000n, 17n];
const POOL_F32 = [0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x7f800000,
  0xff800000, 0x00000001, 0x7f7fffff, 0x4f000000, 0xcf000000, 0x42c80000, 0x40490fdb, 0xc2c80000,
  0x5f000000, 0x3e800000];
const POOL_F64 = [0x0000000000000000n, 0x8000000000000000n, 0x3ff0000000000000n,
  0xbff0000000000000n, 0x3ff8000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n,
  0x0000000000000001n, 0x7fefffffffffffffn, 0x41e0000000000000n, 0xc1e0000000000000n,
  0x4059000000000000n, 0x400921fb54442d18n, 0xc059000000000000n, 0x43e0000000000000n,
  0x3fd0000000000000n];

const dv = new DataView(new ArrayBuffer(8));
function f32FromBits(b) { dv.setUint32(0, b >>> 0, true); return dv.getFloat32(0, true); }
function f64FromBits(b) { dv.setBigUint64(0, b, true); return dv.getFloat64(0, true); }
const hex = (v, n) => v.toString(16).padStart(n, '0');

function fmt(letter, v) {
  switch (letter) {
    case 'i': return 'i32:' + hex(v >>> 0, 8);
    case 'I': return 'i64:' + hex(BigInt.asUintN(64, v), 16);
    case 'f':
      if (Number.isNaN(v)) return 'f32:nan';
      dv.setFloat32(0, v, true);
      return 'f32:' + hex(dv.getUint32(0, true), 8);
    case 'F':
      if (Number.isNaN(v)) return 'f64:nan';
      dv.setFloat64(0, v, true);
      return 'f64:' + hex(dv.getBigUint64(0, true), 16);
  }
  return 'ref';
}

function arg(letter, e, k) {
  const j = (e * 5 + k * 3 + 1) % 16;
  switch (letter) {
    case 'i': return POOL_I32[j];
    case 'I': return POOL_I64[j];
    case 'f': return f32FromBits(POOL_F32[j]);
    case 'F': return f64FromBits(POOL_F64[j]);
  }
  throw new Error('bad type letter ' + letter);
}

// V8's trap messages -> the kind names diff_cairn.c prints.
function trapName(e) {
  if (e instanceof RangeError && /call stack/i.test(e.message)) return 'stack';
  if (!(e instanceof WebAssembly.RuntimeError)) return 'error ' + e.message;
  const m = e.message;
  if (/unreachable/.test(m)) return 'unreachable';
  if (/memory access out of bounds|data segment/.test(m)) return 'memory';
  if (/divide by zero|remainder by zero/.test(m)) return 'divzero';
  if (/divide result unrepresentable/.test(m)) return 'overflow';
  if (/float unrepresentable|unrepresentable in integer/.test(m)) return 'conversion';
  if (/null function|signature mismatch/.test(m)) return 'indirect';
  if (/table|element segment/.test(m)) return 'table';
  return 'other ' + m;
}

function fnv(bytes) {
  let h = 2166136261 >>> 0;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 16777619) >>> 0;
  return h;
}

function runModule(file) {
  const out = ['module ' + path.basename(file)];
  let mod;
  try {
    mod = new WebAssembly.Module(fs.readFileSync(file));
  } catch (e) {
    out.push('invalid', 'end');
    process.stderr.write(file + ': ' + e.message + '\n');
    return out;
  }
  out.push('valid');
  let inst;
  try {
    inst = new WebAssembly.Instance(mod, {});
  } catch (e) {
    out.push('inst trap ' + trapName(e), 'end');
    return out;
  }
  out.push('inst ok');
  const exps = WebAssembly.Module.exports(mod);
  let e = 0;
  for (const x of exps) {
    if (x.kind !== 'function') continue;
    const [, params, results] = x.name.split(':');
    const args = [...params].map((l, k) => arg(l, e, k));
    e++;
    let line = 'call ' + x.name;
    try {
      let r = inst.exports[x.name](...args);
      if (results.length === 1) r = [r];
      else if (results.length === 0) r = [];
      line += ' ok' + [...results].map((l, k) => ' ' + fmt(l, r[k])).join('');
    } catch (err) {
      line += ' trap ' + trapName(err);
    }
    out.push(line);
  }
  for (const x of exps) {
    if (x.kind === 'global') {
      out.push('global ' + x.name + ' ' + fmt(x.name.split(':')[1], inst.exports[x.name].value));
    } else if (x.kind === 'memory') {
      const buf = new Uint8Array(inst.exports[x.name].buffer);
      out.push('mem ' + buf.length / 65536 + ' ' + hex(fnv(buf), 8));
    }
  }
  out.push('end');
  return out;
}

const files = process.argv.slice(2);
if (!files.length) {
  process.stderr.write('usage: node diff_node.js FILE.wasm...\n');
  process.exit(2);
}
for (const f of files) process.stdout.write(runModule(f).join('\n') + '\n');
