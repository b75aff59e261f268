# Warnings for initforge's own targets only; -Werror comes from the presets
# (CMAKE_COMPILE_WARNING_AS_ERROR) so a newer compiler cannot break a user build.
function(initforge_set_warnings target)
  target_compile_options(
    ${target}
    PRIVATE -Wall
            -Wextra
            -Wpedantic
            -Wshadow
            -Wnon-virtual-dtor
            -Woverloaded-virtual
            -Wold-style-cast
            -Wcast-qual
            -Wimplicit-fallthrough
            -Wextra-semi
            -Wformat=2
            # clang reports the `omp simd` loops it leaves scalar (as under
            # the sanitizers); the pragma is a hint, not a requirement.
            $<$<CXX_COMPILER_ID:Clang>:-Wno-pass-failed>)
endfunction()
