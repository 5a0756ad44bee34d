#!/usr/bin/env python3
# Edits applied to a cairn compile work folder (cairn_aot.h and unit N.c) for the
# measurements of exp.py; VARIANT (environment) names them, comma-separated.
import os, re, sys
variants = set(filter(None, os.environ.get("VARIANT", "").split(",")))
src = sys.argv[1]
d = os.path.dirname(src)
hdr = os.path.join(d, "cairn_aot.h")
mark = os.path.join(d, ".patched")
if not os.path.exists(mark):
    open(mark, "w").close()
    h = open(hdr).read()
    if "pend" in variants or "nopoll" in variants or "fp" in variants or "noshadow" in variants:
        old = h[h.index("#define CAIRN_ENTER"):h.index("/* Before every return")]
        ent = '''#define CAIRN_ENTER(ctx, IDX, FRAME)                                                        \\
  cairn_aot_exec *const cairn_ex_ = (ctx)->exec;                                            \\
  void **const cairn_sp_ = cairn_ex_->sp;                                                   \\
  const volatile int *const cairn_pend_ = cairn_ex_->pending;                               \\
  if (!NOSHADOW && CAIRN_UNLIKELY(cairn_sp_ == cairn_ex_->sp_end ||                         \\
                     (uintptr_t)SPADDR <                                \\
                         cairn_ex_->stack_limit + (uintptr_t)(FRAME)))                      \\
    cairn_trap((ctx), CAIRN_AOT_TRAP_STACK_EXHAUSTED);                                      \\
  if (!NOSHADOW) *cairn_sp_ = (ctx)->funcs[IDX];                                            \\
  if (!NOSHADOW) cairn_ex_->sp = cairn_sp_ + 1;                                             \\
  if (CAIRN_UNLIKELY(*PENDP)) (ctx)->rt->poll(ctx)

'''
        spaddr = "__builtin_frame_address(0)"
        if "fp" in variants:
            spaddr = "({ register uintptr_t cairn_rsp_ __asm__(\"rsp\"); cairn_rsp_; })"
        pendp = "cairn_pend_" if "pend" in variants else "cairn_ex_->pending"
        ent = ent.replace("SPADDR", spaddr).replace("PENDP", pendp).replace("NOSHADOW", "1" if "noshadow" in variants else "0")
        h = h.replace(old, ent)
        if "noshadow" in variants:
            h = h.replace("#define CAIRN_LEAVE() (cairn_ex_->sp = cairn_sp_)", "#define CAIRN_LEAVE() ((void)0)")
        pollold = h[h.index("#define CAIRN_POLL(ctx)"):h.index("/* ---- memory access")]
        if "nopoll" in variants:
            h = h.replace(pollold, "#define CAIRN_POLL(ctx) do { } while (0)\n\n")
        elif "pend" in variants:
            h = h.replace(pollold, "#define CAIRN_POLL(ctx) do { if (CAIRN_UNLIKELY(*cairn_pend_)) (ctx)->rt->poll(ctx); } while (0)\n\n")
    if "noloadk" in variants:
        h = h.replace("#define CAIRN_LOADK(T, p)", "#define CAIRN_LOADK(T, p) CAIRN_LOAD(T, p)\n#define CAIRN_LOADK_OLD(T, p)")
        h = h.replace("#define CAIRN_LOADKF(T, p)", "#define CAIRN_LOADKF(T, p) CAIRN_LOAD(T, p)\n#define CAIRN_LOADKF_OLD(T, p)")
    open(hdr, "w").write(h)
# unit patches
c = open(src).read()
if "static" in variants:
    c = re.sub(r"^CAIRN_HIDDEN (\w+ cairn_f\d+\()", r"static \1", c, flags=re.M)
    open(src, "w").write(c)
if "globals" in variants or "mem" in variants:
    out = []
    in_fn = False
    for line in c.split("\n"):
        if "globals" in variants and "ctx->globals[" in line and "CAIRN_ENTER" not in line and in_fn:
            line = re.sub(r"ctx->globals\[(0)\]->", lambda m: "cairn_g%s_->" % m.group(1), line)
        if "mem" in variants and line.strip() == "m0 = ctx->mems[0]->base;":
            continue
        if line.startswith("CAIRN_HIDDEN") and line.endswith("{"):
            in_fn = False
        out.append(line)
        if line.strip().startswith("CAIRN_ENTER(ctx"):
            in_fn = True
            if "globals" in variants:
                out.append("  cairn_aot_global *const cairn_g0_ = ctx->globals[0];")
        if not line.startswith(" ") and line.startswith("}"):
            in_fn = False
    c = "\n".join(out)
    open(src, "w").write(c)
