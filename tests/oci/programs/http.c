/* http.c: a long-running HTTP server for the OCI tests. Serves every
** request on the first pre-opened listener (CAIRN_TCPLISTEN) with a small
** text body naming the request line, one connection at a time, forever. */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static __wasi_fd_t find_listener(void) {
  for (__wasi_fd_t fd = 3; fd < 64; fd++) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM)
      return fd;
  }
  return 0;
}

int main(void) {
  __wasi_fd_t lfd = find_listener();
  if (!lfd) {
    printf("no listener: set CAIRN_TCPLISTEN\n");
    return 1;
  }
  printf("serving on fd %u\n", (unsigned)lfd);
  fflush(stdout);
  for (unsigned served = 0;; served++) {
    __wasi_fd_t c;
    if (__wasi_sock_accept(lfd, 0, &c) != 0) continue;
    char req[2048];
    size_t have = 0;
    while (have < sizeof req - 1) {
      __wasi_iovec_t iov = {(uint8_t *)req + have, sizeof req - 1 - have};
      __wasi_size_t n;
      __wasi_roflags_t rf;
      if (__wasi_sock_recv(c, &iov, 1, 0, &n, &rf) != 0 || n == 0) break;
      have += n;
      req[have] = 0;
      if (strstr(req, "\r\n\r\n")) break;
    }
    req[have] = 0;
    char *eol = strstr(req, "\r\n");
    if (eol) *eol = 0;
    char body[2300], out[2600];
    int nb = snprintf(body, sizeof body, "hello from wasm http: %s (request %u)\n", req, served + 1);
    int k = snprintf(out, sizeof out,
                     "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                     "Connection: close\r\n\r\n%s", nb, body);
    __wasi_ciovec_t ci = {(const uint8_t *)out, (size_t)k};
    __wasi_size_t sent;
    (void)__wasi_sock_send(c, &ci, 1, 0, &sent);
    (void)__wasi_sock_shutdown(c, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR);
    (void)__wasi_fd_close(c);
  }
}
