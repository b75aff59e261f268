# libinitforge_train sources. The IDX reader lives in io/ but is built here,
# with the data-loading code that uses it.
target_sources(
  initforge_train
  PRIVATE ${PROJECT_SOURCE_DIR}/framework/io/idx.cpp
          ${CMAKE_CURRENT_LIST_DIR}/adam.cpp
          ${CMAKE_CURRENT_LIST_DIR}/augment.cpp
          ${CMAKE_CURRENT_LIST_DIR}/cifar10.cpp
          ${CMAKE_CURRENT_LIST_DIR}/data_source.cpp
          ${CMAKE_CURRENT_LIST_DIR}/normalizer.cpp
          ${CMAKE_CURRENT_LIST_DIR}/npy_dataset.cpp
          ${CMAKE_CURRENT_LIST_DIR}/calibration_data.cpp
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
# The optimizers' element loops (SGD, Adam), one variant per instruction set
# with explicit fmas only, so all give the same bits; nothing is contracted,
# not even the double scalars torch.optim computes in Python. No errno from
# sqrt, so it vectorizes (still correctly rounded). An object library: tests
# compare the variants.
add_library(
  initforge_optimizer_kernels OBJECT
  ${CMAKE_CURRENT_LIST_DIR}/adam_kernel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/adam_kernel_scalar.cpp
  ${CMAKE_CURRENT_LIST_DIR}/adam_kernel_avx2.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sgd_kernel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sgd_kernel_scalar.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sgd_kernel_avx2.cpp)
set_target_properties(
  initforge_optimizer_kernels PROPERTIES POSITION_INDEPENDENT_CODE ON
                                         CXX_VISIBILITY_PRESET hidden)
target_include_directories(initforge_optimizer_kernels
                           PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_features(initforge_optimizer_kernels PRIVATE cxx_std_20)
target_compile_options(initforge_optimizer_kernels PRIVATE -ffp-contract=off
                                                           -fno-math-errno)
target_link_libraries(initforge_optimizer_kernels PRIVATE OpenMP::OpenMP_CXX)
initforge_set_warnings(initforge_optimizer_kernels)
target_sources(initforge_train
               PRIVATE $<TARGET_OBJECTS:initforge_optimizer_kernels>)
set_source_files_properties(
  ${CMAKE_CURRENT_LIST_DIR}/adam_kernel_scalar.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sgd_kernel_scalar.cpp
  PROPERTIES COMPILE_OPTIONS "-O3")
set_source_files_properties(
  ${CMAKE_CURRENT_LIST_DIR}/adam_kernel_avx2.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sgd_kernel_avx2.cpp
  PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-O3")
