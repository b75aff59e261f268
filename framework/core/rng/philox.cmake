# The philox generator: portable code plus one kernel file per instruction
# set, each compiled with its own -m flags and chosen at run time.
set(_philox_dir ${CMAKE_CURRENT_LIST_DIR})
target_sources(
  initforge_core
  PRIVATE ${_philox_dir}/philox_generator.cpp
          ${_philox_dir}/philox_kernels.cpp
          ${_philox_dir}/philox_permutation.cpp
          ${_philox_dir}/philox_scalar.cpp
          ${_philox_dir}/philox_avx2.cpp
          ${_philox_dir}/philox_avx512.cpp)
# No implicit contraction anywhere in the kernels: the explicit fmas are the
# only fused operations, so every instruction set gives the same bits.
set_source_files_properties(
  ${_philox_dir}/philox_scalar.cpp PROPERTIES COMPILE_OPTIONS
                                              "-ffp-contract=off;-O3")
set_source_files_properties(
  ${_philox_dir}/philox_avx2.cpp PROPERTIES COMPILE_OPTIONS
                                            "-mavx2;-mfma;-ffp-contract=off;-O3")
# GCC 12's avx512fintrin.h trips -Wmaybe-uninitialized (_mm512_undefined_ps).
set_source_files_properties(
  ${_philox_dir}/philox_avx512.cpp
  PROPERTIES COMPILE_OPTIONS
             "-mavx512f;-mavx2;-mfma;-ffp-contract=off;-O3;$<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>")
unset(_philox_dir)
