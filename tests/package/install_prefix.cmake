# CTest fixture: installs the build tree BUILD_DIR into a fresh PREFIX.
#   cmake -DBUILD_DIR=... -DPREFIX=... -P install_prefix.cmake
file(REMOVE_RECURSE "${PREFIX}")
execute_process(
  COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} --prefix ${PREFIX} "
                      "failed (${result}):\n${output}")
endif()
message(STATUS "installed ${BUILD_DIR} into ${PREFIX}")
