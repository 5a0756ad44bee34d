/*
** util.c: formatting helpers shared by the `cairn` subcommands (type names,
** function signatures, limits, values, errors and backtraces).
*/
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "cli/cli.h"

const char *cli_valtype_name(cairn_valtype t) {
  switch (t) {
    case CAIRN_I32: return "i32";
    case CAIRN_I64: return "i64";
    case CAIRN_F32: return "f32";
    case CAIRN_F64: return "f64";
    case CAIRN_V128: return "v128";
    case CAIRN_FUNCREF: return "funcref";
    case CAIRN_EXTERNREF: return "externref";
  }
  return "?";
}

static void print_types(FILE *f, const cairn_valtype *a, uint32_t n) {
  fputc('(', f);
  for (uint32_t i = 0; i < n; i++) fprintf(f, "%s%s", i ? ", " : "", cli_valtype_name(a[i]));
  fputc(')', f);
}

void cli_print_functype(FILE *f, const cairn_functype *ft) {
  print_types(f, ft->params, ft->nparams);
  fputs(" -> ", f);
  if (ft->nresults == 1) {
    fputs(cli_valtype_name(ft->results[0]), f);
  } else {
    print_types(f, ft->results, ft->nresults);
  }
}

void cli_print_limits(FILE *f, const cairn_limits *lim) {
  fprintf(f, "min %" PRIu64, lim->min);
  if (lim->has_max) fprintf(f, " max %" PRIu64, lim->max);
}

static void print_f32(FILE *f, uint32_t bits) {
  float x;
  memcpy(&x, &bits, 4);
  if ((bits & 0x7f800000u) == 0x7f800000u && (bits & 0x7fffffu)) {
    fprintf(f, "%snan:0x%" PRIx32, (bits >> 31) ? "-" : "", bits & 0x7fffffu);
  } else {
    fprintf(f, "%.9g", (double)x);
  }
}

static void print_f64(FILE *f, uint64_t bits) {
  double x;
  memcpy(&x, &bits, 8);
  if ((bits & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (bits & 0xfffffffffffffull)) {
    fprintf(f, "%snan:0x%" PRIx64, (bits >> 63) ? "-" : "", (uint64_t)(bits & 0xfffffffffffffull));
  } else {
    fprintf(f, "%.17g", x);
  }
}

void cli_print_val(FILE *f, const cairn_val *v) {
  switch (v->type) {
    case CAIRN_I32: fprintf(f, "%" PRId32, v->of.i32); break;
    case CAIRN_I64: fprintf(f, "%" PRId64, v->of.i64); break;
    case CAIRN_F32: print_f32(f, v->of.f32_bits); break;
    case CAIRN_F64: print_f64(f, v->of.f64_bits); break;
    case CAIRN_V128:
      /* as i32x4 in hex, lane 0 first */
      for (int i = 0; i < 4; i++) {
        uint32_t lane;
        memcpy(&lane, v->of.v128 + 4 * i, 4);
        fprintf(f, "%s0x%08" PRIx32, i ? " " : "i32x4 ", lane);
      }
      break;
    case CAIRN_FUNCREF:
      fputs(v->of.func ? "ref.func" : "ref.null func", f);
      break;
    case CAIRN_EXTERNREF:
      if (v->of.ext) {
        fprintf(f, "ref.extern %" PRIuPTR, (uintptr_t)v->of.ext - 1);
      } else {
        fputs("ref.null extern", f);
      }
      break;
    default: fputs("?", f); break;
  }
}

void cli_print_backtrace(FILE *f, const cairn_error *err) {
  int n = err->nframes < CAIRN_MAX_BACKTRACE ? err->nframes : CAIRN_MAX_BACKTRACE;
  for (int i = 0; i < n;) {
    const cairn_frame *fr = &err->frames[i];
    fprintf(f, "  at func[%" PRIu32 "]", fr->func_index);
    if (fr->func_name) fprintf(f, " %s", fr->func_name);
    /* the instruction (the trap, then the calls), when the tier knows it */
    if (fr->func_offset)
      fprintf(f, " +0x%" PRIx32 " (module offset 0x%" PRIx32 ")", fr->func_offset,
              fr->module_offset);
    fputc('\n', f);
    int k = i + 1;
    while (k < n && err->frames[k].func_index == fr->func_index &&
           err->frames[k].module_offset == fr->module_offset)
      k++;
    if (k - i > 2) {
      fprintf(f, "  ... func[%" PRIu32 "] repeated %d more times\n", fr->func_index, k - i - 1);
      i = k;
    } else {
      i++;
    }
  }
  if (n == CAIRN_MAX_BACKTRACE) {
    fprintf(f, "  ... (only the innermost %d frames are recorded)\n", CAIRN_MAX_BACKTRACE);
  }
}

void cli_error(cairn_error *err, cairn_errkind kind, const char *fmt, ...) {
  if (!err) return;
  memset(err, 0, sizeof *err);
  err->kind = kind;
  err->offset = -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
}

const char *cli_errkind_name(cairn_errkind k) {
  switch (k) {
    case CAIRN_OK: return "ok";
    case CAIRN_ERR_MALFORMED: return "malformed";
    case CAIRN_ERR_INVALID: return "invalid";
    case CAIRN_ERR_LINK: return "link error";
    case CAIRN_ERR_TRAP: return "trap";
    case CAIRN_ERR_EXHAUSTION: return "exhaustion";
    case CAIRN_ERR_NOMEM: return "out of memory";
    case CAIRN_ERR_IO: return "i/o error";
    case CAIRN_ERR_ARG: return "bad argument";
  }
  return "error";
}

void cli_print_load_error(FILE *f, const char *zPath, const cairn_error *err) {
  if (err->line > 0) {
    fprintf(f, "%s:%d:%d: error: %s\n", zPath, err->line, err->col, err->msg);
  } else if (err->offset >= 0) {
    fprintf(f, "%s: offset 0x%lx: error: %s\n", zPath, err->offset, err->msg);
  } else {
    fprintf(f, "%s: error: %s\n", zPath, err->msg);
  }
}
