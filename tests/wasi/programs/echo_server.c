/* echo_server.c: accepts one connection on the first pre-opened listener
** (found by probing fds from 3 with sock_accept), echoes one line back
** prefixed "echo: ", shuts the connection down and reports. WASI only. */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

int main(void) {
  __wasi_fd_t conn = 0, lfd;
  __wasi_errno_t e = __WASI_ERRNO_BADF;
  for (lfd = 3; lfd < 64; lfd++) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(lfd, &st) != 0) continue;
    if (st.fs_filetype != __WASI_FILETYPE_SOCKET_STREAM) continue;
    e = __wasi_sock_accept(lfd, 0, &conn);
    if (e == 0) break;
  }
  if (e != 0) {
    printf("accept failed: %d\n", e);
    return 1;
  }
  char line[512];
  size_t have = 0;
  while (have < sizeof line - 1) {
    __wasi_iovec_t iov = {(uint8_t *)line + have, sizeof line - 1 - have};
    __wasi_size_t n;
    __wasi_roflags_t rf;
    if (__wasi_sock_recv(conn, &iov, 1, 0, &n, &rf) != 0 || n == 0) break;
    have += n;
    if (memchr(line, '\n', have)) break;
  }
  line[have] = 0;
  char out[600];
  int k = snprintf(out, sizeof out, "echo: %s", line);
  __wasi_ciovec_t ci = {(const uint8_t *)out, (size_t)k};
  __wasi_size_t sent;
  e = __wasi_sock_send(conn, &ci, 1, 0, &sent);
  __wasi_errno_t e2 = __wasi_sock_shutdown(conn, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR);
  __wasi_errno_t e3 = __wasi_fd_close(conn);
  printf("served %zu bytes, sent %u (errno %d %d %d)\n", have, (unsigned)sent, e, e2, e3);
  return 0;
}
