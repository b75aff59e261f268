# libinitforge_train sources. The IDX reader lives in io/ but is built here,
# so only this library links zlib.
target_sources(
  initforge_train
  PRIVATE ${PROJECT_SOURCE_DIR}/framework/io/idx.cpp
          ${CMAKE_CURRENT_LIST_DIR}/adam.cpp
          ${CMAKE_CURRENT_LIST_DIR}/checkpoint.cpp
          ${CMAKE_CURRENT_LIST_DIR}/dataset.cpp
          ${CMAKE_CURRENT_LIST_DIR}/loss.cpp
          ${CMAKE_CURRENT_LIST_DIR}/loss_head.cpp
          ${CMAKE_CURRENT_LIST_DIR}/lr_schedule.cpp
          ${CMAKE_CURRENT_LIST_DIR}/optimizer.cpp
          ${CMAKE_CURRENT_LIST_DIR}/probe.cpp
          ${CMAKE_CURRENT_LIST_DIR}/run_files.cpp
          ${CMAKE_CURRENT_LIST_DIR}/setup.cpp
          ${CMAKE_CURRENT_LIST_DIR}/sgd.cpp
          ${CMAKE_CURRENT_LIST_DIR}/trainer.cpp
          ${CMAKE_CURRENT_LIST_DIR}/training_epoch.cpp
          ${CMAKE_CURRENT_LIST_DIR}/training_run.cpp)
# summary.json records the version of the library that trained.
target_compile_definitions(
  initforge_train PRIVATE INITFORGE_VERSION="${PROJECT_VERSION}")
