/*
** attest.h: measurement, remote attestation and secret release (the RATS
** background-check model, WaTZ's message flow; docs/trust.md). Three roles:
**   attester  (cairn run --attest, cairn serve "attest"): measures what it
**             loads into an event log, asks the verifier for a nonce, signs
**             evidence with a device attestation key (a backend: TPM 2.0 AK
**             quote, or a software Ed25519 key for development), and opens
**             the secrets the verifier seals to its ephemeral X25519 key;
**   verifier  (cairn verifier): checks evidence against a policy;
**   relying party: the verifier itself, releasing a module's secrets.
** A service: only the public Cairn API, libsodium, jansson, and (for TPM
** quotes) OpenSSL's libcrypto to check ECDSA signatures. The TPM itself is
** driven by the helper program cairn-tpm (tpm2-tss ESAPI; src/trust/tpm/).
** Every function that fails writes a message for the user into err[errlen].
*/
#ifndef CAIRN_TRUST_ATTEST_H
#define CAIRN_TRUST_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ATTEST_VERSION 1
/* The PCR the runtime extends (docs/trust.md, "Which PCR"). */
#define ATTEST_PCR 23
/* Domain separation of the evidence digest (signed or quoted). */
#define ATTEST_EVIDENCE_DOMAIN "cairn-evidence-v1"
#define ATTEST_RESULT_DOMAIN "cairn-result-v1"

/* ---- the event log (measure.c) -------------------------------------------
** What the runtime loaded, in order. Each event is a type ("runtime",
** "module", "config"), the SHA-256 of what was measured, and a description
** (a path or name; for "config" the canonical JSON that was hashed). The
** value extended into the PCR for an event is
**   SHA-256("cairn:" TYPE ":" DIGEST32)
** so an event's type is bound with its digest. Starting from 32 zero bytes
** (PCR 23 after TPM2_PCR_Reset), PCR := SHA-256(PCR || value). */
typedef struct AttestEvent {
  char type[16];
  uint8_t digest[32];
  char *desc;               /* owned; NULL: none */
} AttestEvent;

typedef struct AttestLog {
  AttestEvent *ev;          /* owned */
  size_t n;
} AttestLog;

void attest_log_free(AttestLog *l);
/* Appends an event; false (err) when out of memory. */
bool attest_log_add(AttestLog *l, const char *type, const uint8_t digest[32], const char *desc,
                    char *err, size_t errlen);
/* Measures a file (SHA-256 of its bytes) as an event of type. */
bool attest_log_add_file(AttestLog *l, const char *type, const char *path, const char *desc,
                         char *err, size_t errlen);
/* The standard measurement of a run: the cairn binary (/proc/self/exe),
** the module's bytes, each valid signer of the module (trust_signers; a
** tampered signature fails here), and its configuration: cfg_json is the
** canonical JSON of args, env names and preopens (attest_config_json),
** never values. */
bool attest_measure_run(AttestLog *l, const uint8_t *module, size_t nmodule, const char *name,
                        const char *cfg_json, char *err, size_t errlen);
/* The canonical configuration: {"args":[...],"env":[NAME...],"preopens":
** [{"guest":..,"host":..,"ro":..}]} (sorted keys, compact). env holds
** "NAME=VALUE" or "NAME" strings: only names are kept. Returns a malloc'd
** string (caller frees) or NULL (out of memory). */
char *attest_config_json(size_t argc, const char *const *argv, size_t envc,
                         const char *const *env, size_t npre, const char *const *pre_host,
                         const char *const *pre_guest, const bool *pre_ro);
/* The value extended into the PCR for one event. */
void attest_event_extend_value(const AttestEvent *e, uint8_t out[32]);
/* Replays the log: the PCR value after every event, from zero. */
void attest_log_replay(const AttestLog *l, uint8_t pcr[32]);
/* JSON text of the log (jansson json_t *; opaque here as void *). */
void *attest_log_to_json(const AttestLog *l);
bool attest_log_from_json(const void *json, AttestLog *l, char *err, size_t errlen);

/* ---- evidence backends (backend_soft.c, backend_tpm.c) -------------------
** An evidence signer: the interface a TEE backend (SGX, TDX, SEV-SNP,
** TrustZone) implements too (docs/trust.md). extend records one event in
** the hardware's measurement register (no-op without one); quote signs the
** 32-byte evidence digest, binding it with the measurement register state;
** describe names the key (for the verifier to find the registered key). */
typedef struct AttestBackend AttestBackend;
struct AttestBackend {
  const char *kind;                 /* "ed25519" (insecure, development) or "tpm2" */
  /* Starts a fresh measurement chain (TPM: TPM2_PCR_Reset of ATTEST_PCR). */
  bool (*reset)(AttestBackend *b, char *err, size_t errlen);
  bool (*extend)(AttestBackend *b, const uint8_t value[32], char *err, size_t errlen);
  /* Fills *sig (malloc'd, *nsig bytes: an Ed25519 signature, or TPM's
  ** TPMS_ATTEST and TPMT_SIGNATURE, each prefixed by a 4-byte big-endian
  ** length) over digest. */
  bool (*quote)(AttestBackend *b, const uint8_t digest[32], uint8_t **sig, size_t *nsig,
                char *err, size_t errlen);
  /* The key's identity as the verifier's policy registers it: for
  ** ed25519 the public key (hex); for tpm2 the empty string (the verifier
  ** tries every registered AK). Malloc'd. */
  char *(*describe)(AttestBackend *b);
  void (*free)(AttestBackend *b);
};

/* A software Ed25519 device key (a `cairn keygen` secret key file). Its
** results are marked insecure: the key is a file the host can copy. */
AttestBackend *attest_backend_soft(const char *keyfile, char *err, size_t errlen);
/* The TPM 2.0 backend through cairn-tpm: tcti as tpm2-tss takes it
** ("swtpm:host=127.0.0.1,port=2321", "device:/dev/tpmrm0"), ak the
** persistent handle of the attestation key (0: 0x81010002). */
AttestBackend *attest_backend_tpm(const char *tcti, uint32_t ak, char *err, size_t errlen);

/* ---- released secrets (secrets.c) ----------------------------------------
** The plaintext the verifier sealed, opened in sodium_malloc'd (locked,
** guarded) memory, parsed in place: names and values point into it. Wiped
** and freed by attest_secrets_free. */
enum { ATTEST_DELIVER_FILE = 1, ATTEST_DELIVER_ENV = 2 };
typedef struct AttestSecret {
  const char *name;         /* NUL-terminated, in the locked buffer */
  const uint8_t *value;     /* in the locked buffer */
  size_t len;
  int deliver;              /* ATTEST_DELIVER_* */
} AttestSecret;

typedef struct AttestSecrets {
  uint8_t *buf;             /* sodium_malloc'd plaintext */
  size_t nbuf;
  AttestSecret *s;          /* sodium_malloc'd */
  size_t n;
  bool insecure;            /* the evidence was signed by a software key */
  char *env_block;          /* sodium_malloc'd "NAME=VALUE\0..." for ENV secrets */
  const char **env;         /* pointers into env_block (malloc'd array) */
  size_t nenv;
} AttestSecrets;

void attest_secrets_free(AttestSecrets *s);
/* Encodes secrets (name, value, delivery) for sealing: u8 deliver, u16
** name length, name, u32 value length, value, repeated (big-endian). The
** result is sodium_malloc'd (*out, *nout); the caller sodium_free's it. */
bool attest_secrets_encode(const AttestSecret *s, size_t n, uint8_t **out, size_t *nout,
                           char *err, size_t errlen);
/* Parses buf (sodium_malloc'd, taken over by *out on success). */
bool attest_secrets_decode(uint8_t *buf, size_t nbuf, AttestSecrets *out, char *err,
                           size_t errlen);

/* ---- the attester (attester.c) -------------------------------------------
** Runs the handshake with the verifier at url ("http://127.0.0.1:PORT").
** log must already hold the measurements (and the backend's register the
** same extends). verifier_pub checks the result's signature. On success
** fills *out. Any failure (unreachable, rejected, bad result, expired)
** returns false with the reason; nothing is released then. */
typedef struct AttestRequest {
  const char *url;
  const char *module;              /* the policy's module name */
  const uint8_t *verifier_pub;     /* 32 bytes */
  AttestBackend *backend;
  const AttestLog *log;
  int timeout_ms;                  /* per network step (0: 10000) */
} AttestRequest;

bool attest_run(const AttestRequest *req, AttestSecrets *out, char *err, size_t errlen);
/* SHA-256("cairn-evidence-v1" 0x00 E): what the backend signs or quotes. */
void attest_evidence_digest(const char *e, size_t n, uint8_t out[32]);
/* Extends every event of the log into the backend (after reset). */
bool attest_backend_measure(AttestBackend *b, const AttestLog *log, char *err, size_t errlen);

/* ---- the verifier (verifier.c, policy.c) ---------------------------------
** cairn verifier's server: see src/cli/verifier.c for the options. */
typedef struct VerifierOpts {
  const char *listen;              /* "127.0.0.1:PORT" (PORT 0: any; printed) */
  const char *policy;              /* policy.json */
  const char *key;                 /* the verifier's Ed25519 secret key file */
  const char *port_file;           /* optional: write the bound port here */
  bool quiet;
} VerifierOpts;

/* Runs until SIGINT/SIGTERM. Returns the exit status (2 for a bad policy
** or key, with the reason on stderr). */
int verifier_main(const VerifierOpts *o);

/* ---- the helper program cairn-tpm (attest_tpm.c) -----------------------
** The TPM commands of the attester and the AK signature check of the
** verifier run in cairn-tpm (src/trust/tpm/cairn_tpm.c; tpm2-tss and
** libcrypto, dynamically linked), so `cairn` links neither. */
#define ATTEST_HELPER_MS 20000
/* The helper's path: $CAIRN_TPM_HELPER, else cairn-tpm next to the running
** program (/proc/self/exe's folder), else on PATH. False and why if none. */
bool attest_helper_find(char *path, size_t n, char *err, size_t errlen);
/* Runs helper with args (NULL-terminated, at most 14; argv[0] is added),
** in[0..nin) on its stdin, for at most ATTEST_HELPER_MS. Returns its exit
** status, with the first line of its stderr in err when not 0; or -1 (err
** says why) when it could not run, was killed or timed out. *out (if out)
** receives its stdout (malloc'd, NUL-terminated, at most 64 KiB) when the
** status is not -1. */
int attest_helper_run(const char *helper, const char *const *args, const uint8_t *in,
                      size_t nin, char **out, char *err, size_t errlen);

/* ---- TPM 2.0 quotes, the verifier's side (tpmquote.c) -------------------
** A registered AK is a public key in PEM (tpm2_createak -f pem), kept as
** the file's bytes, read once at start. The quote blob is [u32 n]
** [TPMS_ATTEST][u32 n][TPMT_SIGNATURE] (big-endian). */
typedef struct AttestAk {
  uint8_t *pem;
  size_t npem;
} AttestAk;
/* Reads pem_path and has the helper check that it is an ECC or RSA public
** key (cairn-tpm check-key). False with why (naming the file) if not. */
bool attest_tpm_key_load(const char *helper, const char *pem_path, AttestAk *ak, char *err,
                         size_t errlen);
void attest_tpm_key_free(AttestAk *ak);
/* Checks the quote: signed by one of aks (its index in *which; the
** signature checked by cairn-tpm verify-sig), a quote over exactly PCR
** ATTEST_PCR (SHA-256 bank), qualifying data == digest, and PCR digest ==
** SHA-256(pcr) (the replayed event log), parsed here. Each failure has its
** own message. */
bool attest_tpm_check(const char *helper, const AttestAk *aks, size_t naks, const uint8_t *q,
                      size_t nq, const uint8_t digest[32], const uint8_t pcr[32], size_t *which,
                      char *err, size_t errlen);

/* ---- HTTP/1.1 on loopback (http.c) --------------------------------------
** Just what the handshake needs: one request per connection, a body with
** Content-Length, at most ATTEST_HTTP_MAX bytes either way, every step
** bounded by a timeout. */
#define ATTEST_HTTP_MAX (1u << 20)
/* url: "http://HOST:PORT" (HOST a numeric IPv4 address or localhost),
** optionally with a path prefix. Sends METHOD PREFIX+path with body (may be
** NULL) and returns the status and the response body (malloc'd, NUL
** terminated). Fails (err) when the verifier cannot be reached or answers
** something that is not HTTP. */
bool attest_http(const char *url, const char *method, const char *path, const char *body,
                 int timeout_ms, int *status, char **resp, char *err, size_t errlen);
/* Server side: reads one request from fd. method[8], path[256]; *body
** malloc'd (NUL terminated, may be empty). Returns an HTTP status to
** answer with on failure (400, 408, 413), 0 on success. */
int attest_http_read(int fd, int timeout_ms, char method[8], char path[256], char **body);
/* Writes a response with a JSON (or text) body and closes nothing. */
void attest_http_reply(int fd, int status, const char *body);
/* Parses "HOST:PORT" into a sockaddr_in (HOST numeric IPv4 or localhost). */
struct sockaddr_in;
bool attest_parse_hostport(const char *z, struct sockaddr_in *sa);

/* ---- small shared helpers (util.c) --------------------------------------- */
/* Reads a whole file into malloc'd memory (max bytes at most). */
bool attest_read_file(const char *path, size_t max, uint8_t **out, size_t *n, char *err,
                      size_t errlen);
void attest_hex(const uint8_t *b, size_t n, char *out);   /* out: 2n+1 */
bool attest_unhex(const char *z, uint8_t *out, size_t n); /* exactly 2n digits */
/* Ed25519 keys: a secret key file as `cairn keygen` writes it, a public key
** file (K.pub); through keys.c (sign.h). */
bool attest_seckey_load(const char *path, uint8_t sk[64], char *err, size_t errlen);
bool attest_pubkey_load(const char *path, uint8_t pk[32], char *err, size_t errlen);
uint64_t attest_now(void);                                /* unix seconds */
/* Base64 (standard alphabet, padded): a malloc'd string, or NULL; and back
** into malloc'd bytes (false for anything that is not base64). */
char *attest_b64(const uint8_t *b, size_t n);
bool attest_unb64(const char *z, uint8_t **out, size_t *n);

#endif
