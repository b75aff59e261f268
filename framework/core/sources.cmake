target_sources(
  initforge_core
  PRIVATE ${CMAKE_CURRENT_LIST_DIR}/error.cpp
          ${CMAKE_CURRENT_LIST_DIR}/float16.cpp
          ${CMAKE_CURRENT_LIST_DIR}/generator.cpp
          ${CMAKE_CURRENT_LIST_DIR}/memory_info.cpp
          ${CMAKE_CURRENT_LIST_DIR}/pinned_threads.cpp
          ${CMAKE_CURRENT_LIST_DIR}/shape.cpp
          ${CMAKE_CURRENT_LIST_DIR}/tensor.cpp
          ${CMAKE_CURRENT_LIST_DIR}/utf8.cpp
          ${CMAKE_CURRENT_LIST_DIR}/value_stats.cpp)
