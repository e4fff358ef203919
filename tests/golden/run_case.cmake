cmake_minimum_required(VERSION 3.18)
# Runs the CLI for one golden case and compares stdout and the exit status.
#   CASE.args    arguments, one per line; @FIXTURES@ is replaced
#   CASE.in      standard input
#   CASE.out     expected standard output
#   CASE.status  expected exit status (0 when absent)
file(STRINGS ${CASE}.args lines)
set(args)
foreach(line ${lines})
  string(REPLACE "@FIXTURES@" "${FIXTURES}" line "${line}")
  list(APPEND args "${line}")
endforeach()
set(expected_status 0)
if(EXISTS ${CASE}.status)
  file(READ ${CASE}.status expected_status)
  string(STRIP "${expected_status}" expected_status)
endif()
execute_process(COMMAND ${CLI} ${args}
                INPUT_FILE ${CASE}.in
                OUTPUT_VARIABLE actual
                ERROR_VARIABLE errors
                RESULT_VARIABLE status)
file(READ ${CASE}.out expected)
if(NOT status STREQUAL expected_status)
  message(FATAL_ERROR "exit status ${status}, expected ${expected_status}\nstderr:\n${errors}")
endif()
if(NOT actual STREQUAL expected)
  file(WRITE ${ACTUAL} "${actual}")
  message(FATAL_ERROR "stdout differs from ${CASE}.out (actual output in ${ACTUAL})")
endif()
