target_sources(
  initforge_core
  PRIVATE ${CMAKE_CURRENT_LIST_DIR}/args.cpp
          ${CMAKE_CURRENT_LIST_DIR}/fans.cpp
          ${CMAKE_CURRENT_LIST_DIR}/gain.cpp
          ${CMAKE_CURRENT_LIST_DIR}/goodness_of_fit.cpp
          ${CMAKE_CURRENT_LIST_DIR}/initializer.cpp
          ${CMAKE_CURRENT_LIST_DIR}/target.cpp
          ${CMAKE_CURRENT_LIST_DIR}/text.cpp)
