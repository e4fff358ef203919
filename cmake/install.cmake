# What `cmake --install` puts where (included from the top CMakeLists.txt):
#   lib/       libaupfilter.so (SONAME libaupfilter.so.MAJOR), libaupfilter.a
#   include/   aupfilter.h
#   bin/       aupfilter
#   etc/aupfilter/            the default configuration and rule packs
#   lib/pkgconfig/aupfilter.pc
#   lib/cmake/aupfilter/      find_package(aupfilter): aupfilter::aupfilter,
#                             aupfilter::aupfilter_static
#   share/man/man1, man5      aupfilter(1), aupfilter.conf(5)
include(CMakePackageConfigHelpers)

set(aupf_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/aupfilter)

install(TARGETS aupfilter EXPORT aupfilterTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  PUBLIC_HEADER DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS aupfilter_static EXPORT aupfilterStaticTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# the installed CLI finds the installed library wherever the prefix is
file(RELATIVE_PATH aupf_bin_to_lib ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}
     ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR})
set_target_properties(aupfilter_cli PROPERTIES INSTALL_RPATH "$ORIGIN/${aupf_bin_to_lib}")
install(TARGETS aupfilter_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY patterns/ DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/aupfilter)

# ---- man pages: the version and the CLI's installed configuration filled in
set(AUPF_INSTALLED_CONFIG_DIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/aupfilter)
set(AUPF_INSTALLED_CONFIG ${AUPF_INSTALLED_CONFIG_DIR}/aupfilter.conf)
foreach(page aupfilter.1 aupfilter.conf.5)
  configure_file(docs/man/${page}.in ${PROJECT_BINARY_DIR}/man/${page} @ONLY)
  string(REGEX MATCH "[0-9]$" section ${page})
  install(FILES ${PROJECT_BINARY_DIR}/man/${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()

# ---- CMake package ----------------------------------------------------------
# Two export sets: the static library's dependencies are found by the
# package's config file, so the shared target works without their -dev files.
install(EXPORT aupfilterTargets NAMESPACE aupfilter:: DESTINATION ${aupf_cmake_dir})
install(EXPORT aupfilterStaticTargets NAMESPACE aupfilter:: DESTINATION ${aupf_cmake_dir})
configure_package_config_file(cmake/aupfilterConfig.cmake.in
  ${PROJECT_BINARY_DIR}/aupfilterConfig.cmake
  INSTALL_DESTINATION ${aupf_cmake_dir}
  PATH_VARS CMAKE_INSTALL_SYSCONFDIR)
# The major version is the ABI version: 1.x never satisfies a request for 0.x.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/aupfilterConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/aupfilterConfig.cmake
              ${PROJECT_BINARY_DIR}/aupfilterConfigVersion.cmake
        DESTINATION ${aupf_cmake_dir})

# ---- pkg-config --------------------------------------------------------------
# Written at install time so that `cmake --install --prefix DIR` gives a file
# that names DIR. Stage one fills in everything but the prefix.
foreach(kind LIBDIR INCLUDEDIR SYSCONFDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${kind}}")
    set(aupf_pc_${kind} "${CMAKE_INSTALL_${kind}}")
  else()
    set(aupf_pc_${kind} "\${prefix}/${CMAKE_INSTALL_${kind}}")
  endif()
endforeach()
set(aupf_pc_prefix "@aupf_install_prefix@")
configure_file(cmake/aupfilter.pc.in ${PROJECT_BINARY_DIR}/aupfilter.pc.stage @ONLY)
install(CODE "
  set(aupf_install_prefix \"\${CMAKE_INSTALL_PREFIX}\")
  configure_file(\"${PROJECT_BINARY_DIR}/aupfilter.pc.stage\"
                 \"${PROJECT_BINARY_DIR}/pkgconfig/aupfilter.pc\" @ONLY)")
install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/aupfilter.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
