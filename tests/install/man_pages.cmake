cmake_minimum_required(VERSION 3.18)
# Renders each man page with `man -l` and fails on any formatter warning
# or a missing section.  -DMAN= -DPAGES=page;page
foreach(page ${PAGES})
  execute_process(COMMAND ${CMAKE_COMMAND} -E env MANWIDTH=80 MANPAGER=cat PAGER=cat
                          ${MAN} --warnings -E UTF-8 -l ${page}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
    message(FATAL_ERROR "${page}: man -l failed (${rc}):\n${err}")
  endif()
  foreach(section NAME SYNOPSIS DESCRIPTION "SEE ALSO")
    if(NOT out MATCHES "\n${section}\n")
      message(FATAL_ERROR "${page}: no ${section} section in:\n${out}")
    endif()
  endforeach()
  if(out MATCHES "@[A-Z_]+@")
    message(FATAL_ERROR "${page}: unreplaced ${CMAKE_MATCH_0}")
  endif()
endforeach()
