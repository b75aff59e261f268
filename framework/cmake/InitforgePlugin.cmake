# initforge_add_plugin(NAME SOURCES src... [LINK lib...]
#                      [LIBRARY_NAME text] [VERSION x.y.z])
# Builds one initializer plugin: a MODULE library libNAME.so with hidden
# visibility that exports only the entry point made by INITFORGE_PLUGIN.
# `initforge plugins` shows it as LIBRARY_NAME (default: NAME) and VERSION
# (default: the project's, else 0.0.0). Used in-tree and, installed with the
# CMake package, by out-of-tree plugin projects (find_package(initforge)).
function(initforge_add_plugin name)
  cmake_parse_arguments(ARG "" "LIBRARY_NAME;VERSION" "SOURCES;LINK" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "initforge_add_plugin(${name}): SOURCES is required")
  endif()
  if(NOT ARG_LIBRARY_NAME)
    set(ARG_LIBRARY_NAME "${name}")
  endif()
  if(NOT ARG_VERSION)
    set(ARG_VERSION "${PROJECT_VERSION}")
  endif()
  if(NOT ARG_VERSION)
    set(ARG_VERSION "0.0.0")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE initforge::core ${ARG_LINK})
  target_compile_definitions(
    ${name} PRIVATE INITFORGE_PLUGIN_NAME="${ARG_LIBRARY_NAME}"
                    INITFORGE_PLUGIN_VERSION="${ARG_VERSION}")
  # A project configured without a build type would get unoptimized fills.
  target_compile_options(${name} PRIVATE $<$<STREQUAL:$<CONFIG>,>:-O2>)
  set_target_properties(
    ${name}
    PROPERTIES PREFIX "lib"
               CXX_VISIBILITY_PRESET hidden
               VISIBILITY_INLINES_HIDDEN ON)
  if(DEFINED INITFORGE_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY
                                             "${INITFORGE_PLUGIN_OUTPUT_DIR}")
  endif()
  if(COMMAND initforge_set_warnings)
    initforge_set_warnings(${name})
  endif()
endfunction()
