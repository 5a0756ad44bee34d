/*
** secrets.c: the plaintext of released secrets (attest.h): encoded by the
** verifier, sealed to the attester's ephemeral key, opened and parsed in
** place by the attester. Everything lives in sodium_malloc'd memory
** (mlock'd, guard pages, wiped by sodium_free); nothing is copied into
** ordinary memory, written to disk or logged.
** Encoding, repeated until the end: u8 delivery (1 file, 2 env), u16 name
** length, name, u32 value length, value (big-endian lengths).
*/
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust/attest.h"

#define SECRETS_MAX 256
#define SECRET_NAME_MAX 128

void attest_secrets_free(AttestSecrets *s) {
  if (s->buf) sodium_free(s->buf);   /* sodium_free wipes before unmapping */
  if (s->s) sodium_free(s->s);
  if (s->env_block) sodium_free(s->env_block);
  free(s->env);                       /* pointers only */
  memset(s, 0, sizeof *s);
}

/* A secret's name becomes a file name under /run/secrets or a variable
** name: letters, digits, '_', '-', '.', not starting with '.'. */
static bool name_ok(const char *z, size_t n) {
  if (n == 0 || n > SECRET_NAME_MAX || z[0] == '.') return false;
  for (size_t i = 0; i < n; i++) {
    char c = z[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_' || c == '-' || c == '.'))
      return false;
  }
  return true;
}

bool attest_secrets_encode(const AttestSecret *s, size_t n, uint8_t **out, size_t *nout,
                           char *err, size_t errlen) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    size_t nn = strlen(s[i].name);
    if (!name_ok(s[i].name, nn) || s[i].len > UINT32_MAX) {
      snprintf(err, errlen, "secret '%s': bad name or too large", s[i].name);
      return false;
    }
    total += 7 + nn + s[i].len;
  }
  uint8_t *b = sodium_malloc(total ? total : 1);
  if (!b) {
    snprintf(err, errlen, "out of locked memory for secrets");
    return false;
  }
  size_t p = 0;
  for (size_t i = 0; i < n; i++) {
    size_t nn = strlen(s[i].name);
    b[p++] = (uint8_t)s[i].deliver;
    b[p++] = (uint8_t)(nn >> 8);
    b[p++] = (uint8_t)nn;
    memcpy(b + p, s[i].name, nn);
    p += nn;
    for (int k = 3; k >= 0; k--) b[p++] = (uint8_t)(s[i].len >> (8 * k));
    memcpy(b + p, s[i].value, s[i].len);
    p += s[i].len;
  }
  *out = b;
  *nout = total;
  return true;
}

bool attest_secrets_decode(uint8_t *buf, size_t nbuf, AttestSecrets *out, char *err,
                           size_t errlen) {
  AttestSecrets r;
  memset(&r, 0, sizeof r);
  /* First pass: count and check; names need a NUL, so they are copied
  ** into the locked block of env strings / names below. */
  size_t n = 0, envBytes = 0, nameBytes = 0, nenv = 0;
  for (size_t p = 0; p < nbuf;) {
    if (nbuf - p < 3) goto bad;
    uint8_t dlv = buf[p];
    size_t nn = (size_t)buf[p + 1] << 8 | buf[p + 2];
    p += 3;
    if ((dlv != ATTEST_DELIVER_FILE && dlv != ATTEST_DELIVER_ENV) || nbuf - p < nn + 4 ||
        !name_ok((const char *)buf + p, nn))
      goto bad;
    p += nn;
    size_t nv = (size_t)buf[p] << 24 | (size_t)buf[p + 1] << 16 | (size_t)buf[p + 2] << 8 | buf[p + 3];
    p += 4;
    if (nbuf - p < nv) goto bad;
    if (dlv == ATTEST_DELIVER_ENV) {
      if (memchr(buf + p, 0, nv)) goto bad;   /* an env value cannot hold NUL */
      envBytes += nn + nv + 2;
      nenv++;
    }
    nameBytes += nn + 1;
    p += nv;
    if (++n > SECRETS_MAX) goto bad;
  }
  r.s = sodium_malloc((n ? n : 1) * sizeof *r.s);
  r.env_block = sodium_malloc(envBytes + nameBytes + 1);
  r.env = calloc(nenv + 1, sizeof *r.env);
  if (!r.s || !r.env_block || !r.env) {
    snprintf(err, errlen, "out of locked memory for secrets");
    goto fail;
  }
  char *names = r.env_block + envBytes;
  size_t q = 0, qn = 0;
  for (size_t p = 0, i = 0; p < nbuf; i++) {
    uint8_t dlv = buf[p];
    size_t nn = (size_t)buf[p + 1] << 8 | buf[p + 2];
    const char *name = (const char *)buf + p + 3;
    p += 3 + nn;
    size_t nv = (size_t)buf[p] << 24 | (size_t)buf[p + 1] << 16 | (size_t)buf[p + 2] << 8 | buf[p + 3];
    p += 4;
    for (size_t k = 0; k < i; k++) {
      if (strlen(r.s[k].name) == nn && memcmp(r.s[k].name, name, nn) == 0) {
        snprintf(err, errlen, "released secrets: '%.*s' given twice", (int)nn, name);
        goto fail;
      }
    }
    memcpy(names + qn, name, nn);
    names[qn + nn] = 0;
    r.s[i].name = names + qn;
    qn += nn + 1;
    r.s[i].value = buf + p;
    r.s[i].len = nv;
    r.s[i].deliver = dlv;
    if (dlv == ATTEST_DELIVER_ENV) {
      char *e = r.env_block + q;
      memcpy(e, name, nn);
      e[nn] = '=';
      memcpy(e + nn + 1, buf + p, nv);
      e[nn + 1 + nv] = 0;
      r.env[r.nenv++] = e;
      q += nn + nv + 2;
    }
    p += nv;
    r.n = i + 1;
  }
  r.buf = buf;
  r.nbuf = nbuf;
  *out = r;
  return true;
bad:
  snprintf(err, errlen, "released secrets: malformed plaintext");
fail:
  r.buf = NULL;
  attest_secrets_free(&r);
  return false;
}
