# Corpus replay for every test run: each fuzz target of fuzz/ built with the project's own
# compiler (g++) and fuzz/replay_main.cc instead of libFuzzer, linked to customsd_core, and run
# by CTest over fuzz/corpus/<target>/. Included by the top-level CMakeLists.txt inside
# if(CUSTOMSD_BUILD_TESTS); under -DCUSTOMSD_SANITIZE=ON the replay runs with ASan and UBSan.
# The libFuzzer build is fuzz/CMakeLists.txt (scripts/fuzz).
set(CUSTOMSD_FUZZ_TARGETS intake_jsonl intake_csv api_response certificates authorization
    api_request)
foreach(name IN LISTS CUSTOMSD_FUZZ_TARGETS)
  add_executable(fuzz_replay_${name}
    ${CMAKE_SOURCE_DIR}/fuzz/${name}_fuzzer.cc ${CMAKE_SOURCE_DIR}/fuzz/replay_main.cc)
  target_link_libraries(fuzz_replay_${name} PRIVATE customsd_core)
  target_compile_definitions(fuzz_replay_${name} PRIVATE
    CUSTOMSD_FUZZ_VECTORS_DIR="${CMAKE_SOURCE_DIR}/tests/vectors")
  customsd_target_options(fuzz_replay_${name})
  add_test(NAME fuzz_replay_${name}
           COMMAND fuzz_replay_${name} ${CMAKE_SOURCE_DIR}/fuzz/corpus/${name})
  set_tests_properties(fuzz_replay_${name} PROPERTIES LABELS fuzz TIMEOUT 300)
endforeach()
# The fake WeChat Pay's Authorization check lives in customsd_mock.
target_link_libraries(fuzz_replay_authorization PRIVATE customsd_mock)
