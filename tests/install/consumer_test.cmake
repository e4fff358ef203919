cmake_minimum_required(VERSION 3.18)
# Installs the project into a fresh prefix, then builds examples/consumer
# outside the tree against the installed files, with pkg-config (its
# Makefile) and with find_package(aupfilter), and runs every build:
# a harmful text must be blocked, a look-alike must pass, block and stream
# must agree, and all builds must print the same.
#
#   -DBUILD_DIR= -DSOURCE_DIR= -DWORK=   the build to install, the source
#                                        tree, a scratch folder (emptied)
#   -DCC= -DGENERATOR= -DMAKE= -DOBJDUMP= -DCACHE_DIR=
#   -DLIBDIR= -DINCLUDEDIR= -DBINDIR= -DSYSCONFDIR= -DMANDIR=  (relative)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK})
set(prefix ${WORK}/prefix)
run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

foreach(f ${LIBDIR}/libaupfilter.so ${LIBDIR}/libaupfilter.a ${INCLUDEDIR}/aupfilter.h
          ${BINDIR}/aupfilter ${SYSCONFDIR}/aupfilter/aupfilter.conf
          ${LIBDIR}/pkgconfig/aupfilter.pc ${LIBDIR}/cmake/aupfilter/aupfilterConfig.cmake
          ${LIBDIR}/cmake/aupfilter/aupfilterConfigVersion.cmake
          ${MANDIR}/man1/aupfilter.1 ${MANDIR}/man5/aupfilter.conf.5)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
file(READ ${prefix}/${LIBDIR}/pkgconfig/aupfilter.pc pc)
if(NOT pc MATCHES "prefix=${prefix}\n")
  message(FATAL_ERROR "aupfilter.pc does not name the install prefix ${prefix}:\n${pc}")
endif()

# Out of tree, as a user would: a copy of the example and nothing else.
file(COPY ${SOURCE_DIR}/examples/consumer/ DESTINATION ${WORK}/src)
run("make (pkg-config)" ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/${LIBDIR}/pkgconfig
    ${MAKE} -C ${WORK}/src CC=${CC} consumer consumer-static)
run("cmake configure (find_package)" ${CMAKE_COMMAND} -S ${WORK}/src -B ${WORK}/build
    -G ${GENERATOR} -DCMAKE_C_COMPILER=${CC} -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
run("cmake build (find_package)" ${CMAKE_COMMAND} --build ${WORK}/build)

set(harmful "I will kill you if you come back")
set(lookalike "I will kill the process if it hangs")
set(expected_lines
    "text 1: scan: flagged action=block categories=violence rules=[^\n]*violence\\."
    "text 1: stream: flagged action=block categories=violence "
    "text 1: output: \"[^\"]+\" \\([0-9]+ events; stream equals block\\)"
    "text 2: scan: not-flagged action=allow categories= rules=\n"
    "text 2: output: \"${lookalike}\" \\(0 events; stream equals block\\)")

set(first_out "")
foreach(exe src/consumer src/consumer-static build/consumer build/consumer-static)
  set(env ${CMAKE_COMMAND} -E env AUPFILTER_CACHE_DIR=${CACHE_DIR} --unset=AUPFILTER_CONFIG)
  if(exe STREQUAL "src/consumer") # built with pkg-config: no run path
    list(APPEND env LD_LIBRARY_PATH=${prefix}/${LIBDIR})
  else() # static, or CMake's build run path
    list(APPEND env --unset=LD_LIBRARY_PATH)
  endif()
  run("${exe}" ${env} ${WORK}/${exe} ${harmful} ${lookalike})
  foreach(re ${expected_lines})
    if(NOT out MATCHES "${re}")
      message(FATAL_ERROR "${exe}: no line matches '${re}' in:\n${out}")
    endif()
  endforeach()
  if(first_out STREQUAL "")
    set(first_out "${out}")
  elseif(NOT out STREQUAL first_out)
    message(FATAL_ERROR "${exe} prints differently:\n${out}\nthan src/consumer:\n${first_out}")
  endif()
  # shared builds need libaupfilter.so.MAJOR, static builds must not
  if(OBJDUMP)
    run("objdump ${exe}" ${OBJDUMP} -p ${WORK}/${exe})
    string(REGEX MATCH "NEEDED +libaupfilter\\.so\\.[0-9]+" needed "${out}")
    if(exe MATCHES "static" AND needed)
      message(FATAL_ERROR "${exe} needs the shared library: ${needed}")
    elseif(NOT exe MATCHES "static" AND NOT needed)
      message(FATAL_ERROR "${exe} does not link libaupfilter.so")
    endif()
  endif()
  message(STATUS "${exe}: ok")
endforeach()
