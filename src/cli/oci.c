/*
** oci.c: wiring of the OCI service (src/oci/): `cairn oci ...` and the
** multi-call name `cairn-oci` (runc's command line), and `cairn image
** build`. See docs/oci.md.
*/
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#ifdef CAIRN_NO_SERVE
/* Built with -DCAIRN_WITH_SERVE=OFF (no jansson: the cross builds). */
int cli_oci(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "cairn-oci: not built in (this cairn was configured with -DCAIRN_WITH_SERVE=OFF)\n");
  return 2;
}
int cli_image(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "cairn image: not built in (this cairn was configured with -DCAIRN_WITH_SERVE=OFF)\n");
  return 2;
}
#else
#include "oci/oci.h"

int cli_oci(int argc, char **argv) {
  return oci_main(argc, argv);
}

int cli_image(int argc, char **argv) {
  return oci_image_main(argc - 1, argv + 1);
}
#endif

bool cli_is_oci_name(const char *zArgv0) {
  const char *z = strrchr(zArgv0, '/');
  z = z ? z + 1 : zArgv0;
  return strcmp(z, "cairn-oci") == 0;
}
