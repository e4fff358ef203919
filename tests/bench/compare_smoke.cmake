cmake_minimum_required(VERSION 3.18)
# Runs aupfilter-compare on the fixture rules twice over a small corpus,
# its documents joined four to a text, and checks what it reports: the
# corpus, the joined texts, and a ratio row per configuration (the first
# is the base). No timing is checked.
#   COMPARE, CONFIG, CORPUS
execute_process(COMMAND ${COMPARE} --corpus ${CORPUS} --join 4 --runs 1 ${CONFIG} ${CONFIG}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "aupfilter-compare exited with ${status}\n${out}\n${err}")
endif()
if(NOT out MATCHES ": 10 documents, [0-9.]+ MB \\(3 texts of 4 joined by newlines\\); 1 runs")
  message(FATAL_ERROR "aupfilter-compare did not report the joined corpus\n${out}")
endif()
string(REGEX MATCHALL "\n[0-9a-f]+ +[0-9]+ +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ " rows "${out}")
list(LENGTH rows n)
if(NOT n EQUAL 2)
  message(FATAL_ERROR "expected a row per configuration, got ${n}\n${out}")
endif()
list(GET rows 0 base)
if(NOT base MATCHES " 1\\.000 +[0-9.]+ +1\\.000 $")
  message(FATAL_ERROR "the base row must be 1.000 to itself\n${out}")
endif()
# wrong arguments: a usage message and status 2
execute_process(COMMAND ${COMPARE} --join 0 ${CONFIG} ${CONFIG}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
if(NOT status EQUAL 2 OR NOT err MATCHES "usage: aupfilter-compare")
  message(FATAL_ERROR "--join 0 must be refused with usage (status ${status})\n${err}")
endif()
