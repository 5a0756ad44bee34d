# Writes OUT, a header that defines CAIRN_AOT_GEN_REV: the first 16 hex
# digits of a SHA-256 over the contents of the native tier's sources (every
# .c and .h in DIR, in name order). The cache of compiled modules keys on
# it, so a cairn whose code generator changed compiles again instead of
# running what an older one generated under the same ABI version.
file(GLOB srcs ${DIR}/*.c ${DIR}/*.h)
list(SORT srcs)
set(all "")
foreach(f IN LISTS srcs)
  get_filename_component(name ${f} NAME)
  file(SHA256 ${f} h)
  string(APPEND all "${name} ${h}\n")
endforeach()
string(SHA256 rev "${all}")
string(SUBSTRING ${rev} 0 16 rev)
set(text "#define CAIRN_AOT_GEN_REV \"${rev}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUT} "${text}")
endif()
