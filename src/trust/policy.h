/*
** policy.h: the verifier's reference values (policy.c), loaded from
** policy.json at start (docs/trust.md, "Policy"). Secret values are kept in
** sodium_malloc'd memory. Paths in the file are relative to its directory.
*/
#ifndef CAIRN_TRUST_POLICY_H
#define CAIRN_TRUST_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trust/attest.h"

typedef struct PolicyModule {
  char *name;
  uint8_t (*sha)[32];           /* allowed builds (SHA-256) */
  size_t nsha;
  uint8_t (*signers)[32];       /* or: any module signed by one of these */
  size_t nsigners;
  bool has_config;
  uint8_t config[32];           /* optional: the configuration's SHA-256 */
  AttestSecret *sec;            /* names malloc'd, values sodium_malloc'd */
  size_t nsec;
} PolicyModule;

typedef struct Policy {
  uint64_t freshness;           /* seconds a nonce stays valid */
  uint64_t ttl;                 /* seconds an attestation result is valid */
  bool allow_insecure;          /* accept software (Ed25519) device keys */
  uint8_t (*runtimes)[32];      /* allowed cairn binaries */
  size_t nruntimes;
  uint8_t (*devkeys)[32];       /* registered Ed25519 device keys */
  char **devkey_names;
  size_t ndevkeys;
  AttestAk *aks;                /* registered TPM AKs (their PEM files' bytes) */
  char **ak_names;
  size_t naks;
  char tpm_helper[4096];        /* cairn-tpm, which checks AK signatures (if naks) */
  PolicyModule *mods;
  size_t nmods;
} Policy;

/* Loads and checks path. On failure: false, err "PATH:LINE:COL: ..." for
** malformed JSON, or "PATH: ..." naming the entry at fault. */
bool policy_load(const char *path, Policy *p, char *err, size_t errlen);
void policy_free(Policy *p);
const PolicyModule *policy_module(const Policy *p, const char *name);

#endif
