# Graph runtime and model builder sources.
target_sources(
  initforge_model
  PRIVATE ${CMAKE_CURRENT_LIST_DIR}/builder.cpp
          ${CMAKE_CURRENT_LIST_DIR}/calibrate.cpp
          ${CMAKE_CURRENT_LIST_DIR}/graph.cpp
          ${CMAKE_CURRENT_LIST_DIR}/graph_runtime.cpp
          ${CMAKE_CURRENT_LIST_DIR}/init_plan.cpp
          ${CMAKE_CURRENT_LIST_DIR}/memory_budget.cpp
          ${CMAKE_CURRENT_LIST_DIR}/weights_file.cpp
          ${CMAKE_CURRENT_LIST_DIR}/weights_load.cpp)
