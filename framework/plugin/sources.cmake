target_sources(
  initforge_core
  PRIVATE ${CMAKE_CURRENT_LIST_DIR}/fill_checked.cpp
          ${CMAKE_CURRENT_LIST_DIR}/loader.cpp
          ${CMAKE_CURRENT_LIST_DIR}/registry.cpp)
# Where builtin_plugin_dir() looks: the build tree's plugins/ directory.
target_compile_definitions(
  initforge_core PRIVATE INITFORGE_PLUGIN_DIR="${INITFORGE_PLUGIN_OUTPUT_DIR}")
