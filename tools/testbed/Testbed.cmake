# CMake side of the QEMU testbed (tools/testbed/README.md): a test that fetches the guest kernel,
# and add_testbed_scenario() to register a scenario script as a ctest test.
#
#   add_testbed_scenario(NAME <name> SCRIPT <script>
#                        [BINARIES <target>...]   programs built here, put in the guest's PATH
#                        [ARGS <arg>...]          arguments for the script
#                        [PFS <n>]                number of 82576 PFs (default 1)
#                        [WIRE]                   cable PF0 to PF1
#                        [MONITOR]                allow tb_monitor (QEMU monitor commands)
#                        [SYSTEMD]                boot the Debian root with systemd and udev
#                        [DEBS <path>...]         (SYSTEMD) .deb files or directories for the
#                                                 guest's local apt repository
#                        [STANDBY <n>]            a virtio-net NIC on PF n's wire (tb_standby_netdev)
#                        [TIMEOUT <seconds>]      harness timeout (default 300)
#                        [MEM <MB>]               guest memory (default 1024)
#                        [FILES <src[:dest]>...]  extra files for the guest
#                        [PCAP <file[:n]>]        record PF n's wire (default PF 0)
#                        [CHECK <command> <arg>...])  run on the host once the guest passed, in
#                                                 the test's build directory (e.g. a reader of
#                                                 the PCAP file, or of the console log named
#                                                 by $TB_CONSOLE); if it fails, so does the test
#
# The test is named testbed.<name> and labelled "testbed" (`ctest -L testbed`). Guests never run
# two at a time (RESOURCE_LOCK): each keeps both cores busy. Every scenario requires the fixture
# set up by the testbed.fetch test, so ctest fetches the kernel first when it is not cached; a
# SYSTEMD scenario also the one of testbed.fetch_root (the Debian root file system, built once).

option(SRIOV_TESTBED "Register the QEMU testbed scenarios as tests" ON)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set_property(GLOBAL PROPERTY SRIOV_TESTBED_COMMAND
             "${Python3_EXECUTABLE};${CMAKE_CURRENT_LIST_DIR}/testbed.py")

if(SRIOV_TESTBED)
  add_test(NAME testbed.fetch
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/testbed.py fetch)
  set_tests_properties(testbed.fetch PROPERTIES
    LABELS testbed
    FIXTURES_SETUP sriov_testbed_kernel
    TIMEOUT 900)
  add_test(NAME testbed.fetch_root
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/testbed.py fetch-root)
  set_tests_properties(testbed.fetch_root PROPERTIES
    LABELS testbed
    FIXTURES_SETUP sriov_testbed_root
    TIMEOUT 900)
endif()

function(add_testbed_scenario)
  cmake_parse_arguments(PARSE_ARGV 0 TB "WIRE;MONITOR;SYSTEMD" "NAME;SCRIPT;PFS;TIMEOUT;MEM;STANDBY"
                        "BINARIES;ARGS;FILES;PCAP;CHECK;DEBS")
  if(TB_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "add_testbed_scenario: unknown arguments ${TB_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TB_NAME OR NOT TB_SCRIPT)
    message(FATAL_ERROR "add_testbed_scenario: NAME and SCRIPT are required")
  endif()
  if(NOT SRIOV_TESTBED)
    return()
  endif()
  if(NOT TB_TIMEOUT)
    set(TB_TIMEOUT 300)
  endif()

  get_property(command GLOBAL PROPERTY SRIOV_TESTBED_COMMAND)
  list(APPEND command run --timeout ${TB_TIMEOUT})
  if(TB_PFS)
    list(APPEND command --pfs ${TB_PFS})
  endif()
  if(TB_WIRE)
    list(APPEND command --wire)
  endif()
  if(TB_MONITOR)
    list(APPEND command --monitor)
  endif()
  set(fixtures sriov_testbed_kernel)
  if(TB_SYSTEMD)
    list(APPEND command --systemd)
    list(APPEND fixtures sriov_testbed_root)
  endif()
  foreach(deb IN LISTS TB_DEBS)
    list(APPEND command --deb ${deb})
  endforeach()
  if(DEFINED TB_STANDBY)
    list(APPEND command --standby ${TB_STANDBY})
  endif()
  if(TB_MEM)
    list(APPEND command --mem ${TB_MEM})
  endif()
  foreach(target IN LISTS TB_BINARIES)
    list(APPEND command --bin $<TARGET_FILE:${target}>)
  endforeach()
  foreach(file IN LISTS TB_FILES)
    list(APPEND command --file ${file})
  endforeach()
  foreach(pcap IN LISTS TB_PCAP)
    list(APPEND command --pcap ${pcap})
  endforeach()
  if(TB_CHECK)
    # testbed.py takes the command as one string of shell words: quote each word.
    set(check "")
    foreach(word IN LISTS TB_CHECK)
      string(REPLACE "'" "'\\''" word "${word}")
      string(APPEND check " '${word}'")
    endforeach()
    string(STRIP "${check}" check)
    list(APPEND command --check "${check}")
  endif()
  get_filename_component(script "${TB_SCRIPT}" ABSOLUTE)   # relative to the caller's dir

  add_test(NAME testbed.${TB_NAME} COMMAND ${command} ${script} ${TB_ARGS})
  # ctest's own limit stays above the harness's, so that the harness reports the timeout.
  math(EXPR ctest_timeout "${TB_TIMEOUT} + 60")
  set_tests_properties(testbed.${TB_NAME} PROPERTIES
    LABELS testbed
    RESOURCE_LOCK sriov_testbed_guest
    FIXTURES_REQUIRED "${fixtures}"
    TIMEOUT ${ctest_timeout})
endfunction()
