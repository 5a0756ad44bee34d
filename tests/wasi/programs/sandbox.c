/* sandbox.c DIR: escape attempts from the preopened DIR. The host test
** creates DIR/esc -> ../outside.txt, DIR/abs -> /etc/passwd, DIR/chain ->
** sub/../../outside.txt, DIR/escdir -> .., DIR/loop1 <-> DIR/loop2, and
** DIR/sub/inside.txt. Every escape (including making a symlink that points
** out) must fail; the output is the errno text of each attempt. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *D;
static char path[4096];
static char path2[4096];
static const char *P(const char *n) {
  snprintf(path, sizeof path, "%s/%s", D, n);
  return path;
}
static const char *P2(const char *n) {
  snprintf(path2, sizeof path2, "%s/%s", D, n);
  return path2;
}
static void try_open(const char *label, const char *p, int flags) {
  int fd = open(p, flags, 0644);
  if (fd >= 0) {
    printf("%s: OPENED (escape!)\n", label);
    close(fd);
  } else {
    printf("%s: %s\n", label, strerror(errno));
  }
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  D = argv[1];
  char up[4096];
  snprintf(up, sizeof up, "%s/../outside.txt", D);
  try_open("dotdot", up, O_RDONLY);
  snprintf(up, sizeof up, "%s/sub/../../outside.txt", D);
  try_open("dotdot via sub", up, O_RDONLY);
  try_open("absolute", "/etc/passwd", O_RDONLY);
  try_open("relative symlink out", P("esc"), O_RDONLY);
  try_open("absolute symlink", P("abs"), O_RDONLY);
  try_open("symlink chain", P("chain"), O_RDONLY);
  try_open("symlink loop", P("loop1"), O_RDONLY);
  try_open("create through symlink", P("esc"), O_WRONLY | O_CREAT);
  printf("symlink to absolute: %s\n", symlink("/etc/passwd", P("new-abs")) ? strerror(errno) : "created");
  printf("symlink relative: %s\n", symlink("../outside.txt", P("new-rel")) ? strerror(errno) : "created");
  try_open("follow new relative link", P("new-rel"), O_RDONLY);
  printf("symlink inside: %s\n",
         symlink("../sub/inside.txt", P("sub/new-in")) ? strerror(errno) : "created");
  int lfd = open(P("sub/new-in"), O_RDONLY);
  printf("follow it: %s\n", lfd >= 0 ? "opened" : strerror(errno));
  if (lfd >= 0) close(lfd);
  printf("hard link to a symlink: %s\n", link(P("esc"), P2("hard")) ? strerror(errno) : "linked");
  try_open("follow the hard-linked symlink", P("hard"), O_RDONLY);
  printf("hard link through dir symlink: %s\n",
         link(P("escdir/outside.txt"), P2("hard2")) ? strerror(errno) : "linked (escape!)");
  printf("hard link with ..: %s\n",
         link(up, P2("hard3")) ? strerror(errno) : "linked (escape!)");
  struct stat st;
  printf("stat through symlink: %s\n", stat(P("abs"), &st) ? strerror(errno) : "ok (escape!)");
  printf("lstat of symlink: %s\n", lstat(P("abs"), &st) ? strerror(errno) : "ok");
  printf("mkdir through symlink: %s\n", mkdir(P("esc/x"), 0755) ? strerror(errno) : "created (escape!)");
  printf("unlink outside: %s\n", unlink(up) ? strerror(errno) : "removed (escape!)");
  printf("rename out: %s\n", rename(P("sub"), up) ? strerror(errno) : "renamed (escape!)");
  char buf[256];
  ssize_t n = readlink(P("abs"), buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  printf("readlink abs: %s\n", n >= 0 ? buf : strerror(errno));
  int fd = open(P("sub/inside.txt"), O_RDONLY);
  n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  buf[n > 0 ? n : 0] = 0;
  printf("inside: %s", fd >= 0 ? buf : "cannot open\n");
  return 0;
}
