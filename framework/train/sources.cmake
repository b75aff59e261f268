# libinitforge_train sources. The IDX reader lives in io/ but is built here,
# so only this library links zlib.
target_sources(
  initforge_train
  PRIVATE ${PROJECT_SOURCE_DIR}/framework/io/idx.cpp
          ${CMAKE_CURRENT_LIST_DIR}/adam.cpp
          ${CMAKE_CURRENT_LIST_DIR}/dataset.cpp
          ${CMAKE_CURRENT_LIST_DIR}/loss.cpp
          ${CMAKE_CURRENT_LIST_DIR}/lr_schedule.cpp
          ${CMAKE_CURRENT_LIST_DIR}/optimizer.cpp
          ${CMAKE_CURRENT_LIST_DIR}/sgd.cpp)
