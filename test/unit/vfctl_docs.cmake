# vfctl's man page, bash completion and program, checked without a daemon (label "unit"):
# the words of the grammar in both documents, the completion's answers, the man page formatted
# without warnings (skipped when neither groff nor man is installed), help and exit statuses.
set(vfctl_dir ${PROJECT_SOURCE_DIR}/tools/vfctl)

add_executable(vfctl_docs_test unit/vfctl_docs_test.cpp)
target_link_libraries(vfctl_docs_test PRIVATE vfctl_core Catch2::Catch2WithMain)
target_compile_definitions(vfctl_docs_test PRIVATE VFCTL_SOURCE_DIR="${vfctl_dir}")
catch_discover_tests(vfctl_docs_test PROPERTIES LABELS unit)

add_test(NAME vfctl.completion
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/unit/vfctl_completion_test.sh ${vfctl_dir}/vfctl.bash-completion)
add_test(NAME vfctl.man_page COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/unit/vfctl_man_page_test.sh ${vfctl_dir}/vfctl.8)
add_test(NAME vfctl.program COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/unit/vfctl_program_test.sh $<TARGET_FILE:vfctl>)
set_tests_properties(vfctl.completion vfctl.man_page vfctl.program PROPERTIES LABELS unit)
set_tests_properties(vfctl.man_page PROPERTIES SKIP_RETURN_CODE 77)
