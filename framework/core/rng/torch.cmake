# The torch generator (PyTorch 1.13 CPU streams, bit for bit).
set(_initforge_torch_dir ${CMAKE_CURRENT_LIST_DIR})
target_sources(
  initforge_core
  PRIVATE ${_initforge_torch_dir}/torch_generator.cpp
          ${_initforge_torch_dir}/torch_kernels_scalar.cpp
          ${_initforge_torch_dir}/torch_kernels_avx2.cpp
          ${_initforge_torch_dir}/torch_kernels_avx512.cpp)
# Bit-exactness: the only fused multiply-adds are the explicit ones (the spots
# where GCC contracts PyTorch's AVX2 build), so no contraction of our own.
set_source_files_properties(
  ${_initforge_torch_dir}/torch_generator.cpp
  ${_initforge_torch_dir}/torch_kernels_scalar.cpp
  ${_initforge_torch_dir}/torch_kernels_avx2.cpp
  ${_initforge_torch_dir}/torch_kernels_avx512.cpp
  TARGET_DIRECTORY initforge_core
  PROPERTIES COMPILE_OPTIONS "-ffp-contract=off")
# Reached only through avx2_kernels() / avx512_kernels(), after a run-time CPU
# check.
set_property(
  SOURCE ${_initforge_torch_dir}/torch_kernels_avx2.cpp
  TARGET_DIRECTORY initforge_core
  APPEND
  PROPERTY COMPILE_OPTIONS -mavx2 -mfma)
set_property(
  SOURCE ${_initforge_torch_dir}/torch_kernels_avx512.cpp
  TARGET_DIRECTORY initforge_core
  APPEND
  PROPERTY COMPILE_OPTIONS -mavx2 -mfma -mavx512f -mavx512dq)
