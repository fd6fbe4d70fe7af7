# sriov_gzip(SOURCE OUTPUT): OUTPUT is SOURCE compressed the way Debian wants man pages and
# changelogs (gzip -9n: best compression, no name and no time stamp, so the same text always gives
# the same bytes). Done when CMake configures, and again whenever SOURCE changes, so that
# installing needs no build target of its own.
function(sriov_gzip source output)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source})
  execute_process(COMMAND gzip -9n -c ${source} OUTPUT_FILE ${output} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "gzip ${source}: exit status ${status}")
  endif()
endfunction()
