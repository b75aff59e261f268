target_sources(
  initforge_core
  PRIVATE ${CMAKE_CURRENT_LIST_DIR}/builtin_dir.cpp
          ${CMAKE_CURRENT_LIST_DIR}/conformance.cpp
          ${CMAKE_CURRENT_LIST_DIR}/conformance_distribution.cpp
          ${CMAKE_CURRENT_LIST_DIR}/conformance_schema.cpp
          ${CMAKE_CURRENT_LIST_DIR}/conformance_values.cpp
          ${CMAKE_CURRENT_LIST_DIR}/fill_checked.cpp
          ${CMAKE_CURRENT_LIST_DIR}/loader.cpp
          ${CMAKE_CURRENT_LIST_DIR}/path_safety.cpp
          ${CMAKE_CURRENT_LIST_DIR}/plugin_search.cpp
          ${CMAKE_CURRENT_LIST_DIR}/plugin_trust.cpp
          ${CMAKE_CURRENT_LIST_DIR}/registry.cpp)
# Where builtin_plugin_dir() looks when not installed (builtin_dir.cpp): the
# build tree's plugins/ directory.
target_compile_definitions(
  initforge_core PRIVATE INITFORGE_PLUGIN_DIR="${INITFORGE_PLUGIN_OUTPUT_DIR}")
