/*
** elf.c: Cairn's loader for the shared objects of compiled modules.
**
** Why not dlopen: the cairn program is linked statically (cold start), a
** static program cannot dlopen reliably, and the objects need nothing a
** dynamic linker does. The compile driver links them freestanding
** (-nostdlib, hidden symbols, libgcc inside), so an object is position-
** independent code plus RELATIVE relocations; its ELF entry point is
** cairn_aot_get. Loading is: check the headers, map the segments at one
** anonymous base, add the base to each relocated word, protect the pages
** (never writable and executable at once), flush the instruction cache.
** Constructors (DT_INIT, DT_INIT_ARRAY) are never run. The symbol table
** (not loaded: read from the file) gives the code ranges of the Wasm
** functions, from which backtraces are rebuilt (tier.c).
*/
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/aot/aot_module.h"

#if UINTPTR_MAX > 0xFFFFFFFFu
#define ELF_CLASS ELFCLASS64
typedef Elf64_Ehdr Ehdr;
typedef Elf64_Phdr Phdr;
typedef Elf64_Dyn Dyn;
typedef Elf64_Rela Rela;
typedef Elf64_Rel Rel;
typedef Elf64_Shdr Shdr;
typedef Elf64_Sym Sym;
#define R_TYPE(i) ELF64_R_TYPE(i)
#define ST_TYPE(i) ELF64_ST_TYPE(i)
#else
#define ELF_CLASS ELFCLASS32
typedef Elf32_Ehdr Ehdr;
typedef Elf32_Phdr Phdr;
typedef Elf32_Dyn Dyn;
typedef Elf32_Rela Rela;
typedef Elf32_Rel Rel;
typedef Elf32_Shdr Shdr;
typedef Elf32_Sym Sym;
#define R_TYPE(i) ELF32_R_TYPE(i)
#define ST_TYPE(i) ELF32_ST_TYPE(i)
#endif

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#define R_RELATIVE R_X86_64_RELATIVE
#define R_NONE_ R_X86_64_NONE
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#define R_RELATIVE R_AARCH64_RELATIVE
#define R_NONE_ R_AARCH64_NONE
#elif defined(__riscv)
#define HOST_MACHINE EM_RISCV
#define R_RELATIVE R_RISCV_RELATIVE
#define R_NONE_ R_RISCV_NONE
#elif defined(__arm__)
#define HOST_MACHINE EM_ARM
#define R_RELATIVE R_ARM_RELATIVE
#define R_NONE_ R_ARM_NONE
#else
#define HOST_MACHINE EM_NONE
#define R_RELATIVE 0xFFFFFFFFu
#define R_NONE_ 0
#endif

unsigned aot_host_machine(void) { return HOST_MACHINE; }

static bool bad(cairn_error *err, const char *what) {
  base_error(err, CAIRN_ERR_MALFORMED, -1, "native code: %s", what);
  return false;
}

/* True if [off, off+len) lies inside [0, n). */
static bool inside(uint64_t off, uint64_t len, uint64_t n) { return off <= n && len <= n - off; }

void aot_image_unmap(AotImage *img) {
  if (img->base) munmap(img->map, img->mapBytes);
  base_free(img->aRange);
  memset(img, 0, sizeof *img);
}

const AotFuncRange *aot_image_func(const AotImage *img, uintptr_t pc) {
  if (pc < img->codeLo || pc >= img->codeHi) return NULL;
  uint32_t lo = 0, hi = img->nRange; /* the last range with lo <= pc */
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (img->aRange[mid].lo <= pc)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0) return NULL;
  const AotFuncRange *r = &img->aRange[lo - 1];
  return pc < r->hi ? r : NULL;
}

static int range_cmp(const void *a, const void *b) {
  uintptr_t x = ((const AotFuncRange *)a)->lo, y = ((const AotFuncRange *)b)->lo;
  return x < y ? -1 : x > y;
}

/* N if z is the name of Wasm function N's code or one of its parts:
** "cairn_fN" or "cairn_fN.<suffix>"; else -1. */
static int64_t wasm_func_symbol(const char *z, const char *end) {
  if ((size_t)(end - z) < 8 || memcmp(z, "cairn_f", 7) != 0) return -1;
  z += 7;
  uint64_t n = 0;
  const char *d = z;
  while (z < end && *z >= '0' && *z <= '9' && n <= UINT32_MAX) n = n * 10 + (uint64_t)(*z++ - '0');
  if (z == d || z == end || n > UINT32_MAX || (*z != 0 && *z != '.')) return -1;
  return (int64_t)n;
}

/* Fills img->aRange from the symbol table of obj[0..n): FUNC symbols of
** Wasm functions inside an executable segment (aPh, nPh). An object
** without a symbol table gives no ranges. */
static bool read_func_ranges(const uint8_t *obj, size_t n, const Ehdr *eh, const Phdr *aPh,
                             unsigned nPh, AotImage *img, cairn_error *err) {
  if (!eh->e_shoff || !eh->e_shnum) return true;
  if (eh->e_shentsize != sizeof(Shdr) ||
      !inside(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Shdr), n))
    return bad(err, "bad section headers");
  Shdr sym, str;
  bool found = false;
  for (unsigned i = 0; i < eh->e_shnum && !found; i++) {
    memcpy(&sym, obj + eh->e_shoff + (uint64_t)i * sizeof(Shdr), sizeof sym);
    found = sym.sh_type == SHT_SYMTAB;
  }
  if (!found) return true;
  if (sym.sh_link >= eh->e_shnum || sym.sh_entsize != sizeof(Sym) ||
      !inside(sym.sh_offset, sym.sh_size, n))
    return bad(err, "bad symbol table");
  memcpy(&str, obj + eh->e_shoff + (uint64_t)sym.sh_link * sizeof(Shdr), sizeof str);
  if (str.sh_type != SHT_STRTAB || !inside(str.sh_offset, str.sh_size, n))
    return bad(err, "bad symbol names");
  const char *zStr = (const char *)obj + str.sh_offset, *zEnd = zStr + str.sh_size;
  uint64_t nSym = sym.sh_size / sizeof(Sym);
  AotFuncRange *a = base_malloc((size_t)(nSym ? nSym : 1) * sizeof *a);
  if (!a) {
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory reading native code symbols");
    return false;
  }
  uint32_t k = 0;
  for (uint64_t i = 0; i < nSym; i++) {
    Sym y;
    memcpy(&y, obj + sym.sh_offset + i * sizeof(Sym), sizeof y);
    if (ST_TYPE(y.st_info) != STT_FUNC || y.st_shndx == SHN_UNDEF || !y.st_size ||
        y.st_name >= str.sh_size)
      continue;
    int64_t idx = wasm_func_symbol(zStr + y.st_name, zEnd);
    if (idx < 0) continue;
    bool inCode = false;
    for (unsigned j = 0; j < nPh; j++)
      if (aPh[j].p_type == PT_LOAD && (aPh[j].p_flags & PF_X) && y.st_value >= aPh[j].p_vaddr &&
          inside(y.st_value - aPh[j].p_vaddr, y.st_size, aPh[j].p_memsz))
        inCode = true;
    if (!inCode) {
      base_free(a);
      return bad(err, "a function symbol outside the code");
    }
    a[k].lo = (uintptr_t)img->base + (uintptr_t)y.st_value;
    a[k].hi = a[k].lo + (uintptr_t)y.st_size;
    a[k++].idx = (uint32_t)idx;
  }
  qsort(a, k, sizeof *a, range_cmp);
  img->aRange = a;
  img->nRange = k;
  return true;
}

/* Adds base to every relocated word of a REL or RELA table at [off, off+size). */
static bool relocate(AotImage *img, uint64_t off, uint64_t size, bool rela, cairn_error *err) {
  size_t ent = rela ? sizeof(Rela) : sizeof(Rel);
  if (!inside(off, size, img->size) || size % ent) return bad(err, "bad relocation table");
  for (uint64_t k = 0; k < size; k += ent) {
    uintptr_t where, info, addend = 0;
    if (rela) {
      Rela r;
      memcpy(&r, img->base + off + k, sizeof r);
      where = r.r_offset, info = r.r_info, addend = (uintptr_t)r.r_addend;
    } else {
      Rel r;
      memcpy(&r, img->base + off + k, sizeof r);
      where = r.r_offset, info = r.r_info;
    }
    unsigned type = (unsigned)R_TYPE(info);
    if (type == R_NONE_) continue;
    if (type != R_RELATIVE) return bad(err, "relocation other than RELATIVE (the object imports symbols)");
    if (!inside(where, sizeof(uintptr_t), img->size) || where % sizeof(uintptr_t))
      return bad(err, "relocation outside the image");
    uintptr_t v;
    if (rela) {
      v = (uintptr_t)img->base + addend;
    } else {
      memcpy(&v, img->base + where, sizeof v);
      v += (uintptr_t)img->base;
    }
    memcpy(img->base + where, &v, sizeof v);
  }
  return true;
}

bool aot_image_map(const uint8_t *obj, size_t n, AotImage *img, const cairn_aot_desc **pDesc,
                   cairn_error *err) {
  memset(img, 0, sizeof *img);
  Ehdr eh;
  if (n < sizeof eh) return bad(err, "truncated ELF header");
  memcpy(&eh, obj, sizeof eh);
  if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) return bad(err, "not an ELF object");
  if (eh.e_ident[EI_CLASS] != ELF_CLASS || eh.e_ident[EI_DATA] != ELFDATA2LSB)
    return bad(err, "ELF class or byte order of another architecture");
  if (eh.e_type != ET_DYN || eh.e_machine != HOST_MACHINE)
    return bad(err, "not a shared object for this machine");
  if (eh.e_phentsize != sizeof(Phdr) || !inside(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Phdr), n))
    return bad(err, "bad program headers");
  long pageL = sysconf(_SC_PAGESIZE);
  size_t page = pageL > 0 ? (size_t)pageL : 4096;

  /* the span of the loadable segments */
  uint64_t span = 0;
  const Phdr *dyn = NULL;
  Phdr aPh[64];
  if (eh.e_phnum > 64) return bad(err, "too many program headers");
  for (unsigned i = 0; i < eh.e_phnum; i++) {
    memcpy(&aPh[i], obj + eh.e_phoff + (uint64_t)i * sizeof(Phdr), sizeof(Phdr));
    const Phdr *ph = &aPh[i];
    if (ph->p_type == PT_DYNAMIC) dyn = ph;
    if (ph->p_type == PT_INTERP || ph->p_type == PT_TLS) return bad(err, "needs a dynamic linker");
    if (ph->p_type != PT_LOAD) continue;
    if (ph->p_filesz > ph->p_memsz || !inside(ph->p_offset, ph->p_filesz, n) ||
        ph->p_vaddr + ph->p_memsz < ph->p_vaddr || ph->p_vaddr + ph->p_memsz > ((uint64_t)1 << 30))
      return bad(err, "bad loadable segment");
    if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X)) return bad(err, "writable code segment");
    if (ph->p_vaddr + ph->p_memsz > span) span = ph->p_vaddr + ph->p_memsz;
  }
  if (!span || !dyn) return bad(err, "no loadable segment or no dynamic section");
  span = (span + page - 1) & ~(uint64_t)(page - 1);
  /* Code of 1 MiB or more in huge pages: filling it page by page would cost
  ** a fault per 4 KiB (455 for speedtest1's 1.9 MB), a huge page one per
  ** 2 MiB (docs/benchmarks.md, "Huge pages"). The rounding up is left
  ** inaccessible below. Smaller code keeps small pages: a huge page would
  ** cost it up to 2 MiB of resident memory. */
  uint64_t mapped = span, mapBytes = span;
  void *p, *map;
  if (span >= (1u << 20)) {
    mapped = (span + BASE_HUGE_PAGE - 1) & ~(uint64_t)(BASE_HUGE_PAGE - 1);
    mapBytes = mapped + BASE_HUGE_PAGE;
    p = base_map_aligned((size_t)mapped, BASE_HUGE_PAGE, PROT_READ | PROT_WRITE, 0, &map);
    if (p) base_advise_huge(p, (size_t)mapped);
  } else {
    p = map = mmap(NULL, (size_t)span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) p = NULL;
  }
  if (!p) {
    base_error(err, CAIRN_ERR_NOMEM, -1, "cannot map %llu bytes of native code",
               (unsigned long long)span);
    return false;
  }
  img->base = p;
  img->size = (size_t)span;
  img->mapped = (size_t)mapped;
  img->map = map;
  img->mapBytes = (size_t)mapBytes;
  for (unsigned i = 0; i < eh.e_phnum; i++) {
    const Phdr *ph = &aPh[i];
    if (ph->p_type == PT_LOAD && ph->p_filesz)
      memcpy(img->base + ph->p_vaddr, obj + ph->p_offset, ph->p_filesz);
  }
  /* after the copy's first touch, which needs the whole chunk accessible */
  if (img->mapped > img->size &&
      mprotect(img->base + img->size, img->mapped - img->size, PROT_NONE) != 0) {
    bad(err, "cannot protect the end of the code's mapping");
    goto fail;
  }

  /* the dynamic section: relocation tables only, no needed libraries */
  if (!inside(dyn->p_vaddr, dyn->p_memsz, img->size)) goto fail_dyn;
  uint64_t relaOff = 0, relaSz = 0, relOff = 0, relSz = 0;
  for (uint64_t k = 0; k + sizeof(Dyn) <= dyn->p_memsz; k += sizeof(Dyn)) {
    Dyn d;
    memcpy(&d, img->base + dyn->p_vaddr + k, sizeof d);
    if (d.d_tag == DT_NULL) break;
    switch (d.d_tag) {
      case DT_NEEDED: bad(err, "the object needs a shared library"); goto fail;
      case DT_JMPREL:
      case DT_TEXTREL: bad(err, "the object has PLT or text relocations"); goto fail;
      case DT_PLTRELSZ:
        if (d.d_un.d_val) { bad(err, "the object has PLT relocations"); goto fail; }
        break;
      case DT_RELA: relaOff = d.d_un.d_ptr; break;
      case DT_RELASZ: relaSz = d.d_un.d_val; break;
      case DT_REL: relOff = d.d_un.d_ptr; break;
      case DT_RELSZ: relSz = d.d_un.d_val; break;
#ifdef DT_RELR
      case DT_RELR: bad(err, "packed relocations are not supported"); goto fail;
#endif
      default: break;
    }
  }
  if ((relaSz && !relocate(img, relaOff, relaSz, true, err)) ||
      (relSz && !relocate(img, relOff, relSz, false, err)) ||
      !read_func_ranges(obj, n, &eh, aPh, eh.e_phnum, img, err))
    goto fail;

  /* protections: per page, the union of the segments on it */
  for (unsigned i = 0; i < eh.e_phnum; i++) {
    const Phdr *ph = &aPh[i];
    if (ph->p_type != PT_LOAD) continue;
    uint64_t lo = ph->p_vaddr & ~(uint64_t)(page - 1);
    uint64_t hi = (ph->p_vaddr + ph->p_memsz + page - 1) & ~(uint64_t)(page - 1);
    int prot = ((ph->p_flags & PF_R) ? PROT_READ : 0) | ((ph->p_flags & PF_W) ? PROT_WRITE : 0) |
               ((ph->p_flags & PF_X) ? PROT_EXEC : 0);
    for (unsigned j = 0; j < eh.e_phnum; j++) {
      const Phdr *o = &aPh[j];
      if (j == i || o->p_type != PT_LOAD) continue;
      uint64_t olo = o->p_vaddr & ~(uint64_t)(page - 1);
      uint64_t ohi = (o->p_vaddr + o->p_memsz + page - 1) & ~(uint64_t)(page - 1);
      if (olo < hi && lo < ohi) {
        int oprot = ((o->p_flags & PF_W) ? PROT_WRITE : 0) | ((o->p_flags & PF_X) ? PROT_EXEC : 0);
        if ((prot | oprot) & PROT_WRITE && (prot | oprot) & PROT_EXEC) {
          bad(err, "code and writable data share a page");
          goto fail;
        }
      }
    }
    if (prot & PROT_EXEC) {
      __builtin___clear_cache((char *)img->base + lo, (char *)img->base + hi);
      uintptr_t cLo = (uintptr_t)img->base + (uintptr_t)ph->p_vaddr;
      uintptr_t cHi = cLo + (uintptr_t)ph->p_memsz;
      if (!img->codeHi || cLo < img->codeLo) img->codeLo = cLo;
      if (cHi > img->codeHi) img->codeHi = cHi;
    }
    if (mprotect(img->base + lo, (size_t)(hi - lo), prot) != 0) {
      bad(err, "cannot protect a segment");
      goto fail;
    }
  }

  /* the entry point, inside an executable segment */
  bool entryOk = false;
  for (unsigned i = 0; i < eh.e_phnum; i++) {
    const Phdr *ph = &aPh[i];
    if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && eh.e_entry >= ph->p_vaddr &&
        eh.e_entry < ph->p_vaddr + ph->p_memsz)
      entryOk = true;
  }
  if (!entryOk) {
    bad(err, "entry point outside the code");
    goto fail;
  }
  const cairn_aot_desc *(*get)(void);
  void *entry = img->base + eh.e_entry;
  memcpy(&get, &entry, sizeof get);
  const cairn_aot_desc *desc = get();
  if ((const uint8_t *)desc < img->base ||
      !inside((uint64_t)((const uint8_t *)desc - img->base), sizeof *desc, img->size)) {
    bad(err, "descriptor outside the image");
    goto fail;
  }
  *pDesc = desc;
  return true;

fail_dyn:
  bad(err, "bad dynamic section");
fail:
  aot_image_unmap(img);
  return false;
}
