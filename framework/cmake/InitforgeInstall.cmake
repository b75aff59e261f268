# `cmake --install BUILD --prefix P`: the CLI, the shared libraries, the
# built-in plugins, the plugin SDK headers, the plot script and the CMake
# package (find_package(initforge) + initforge_add_plugin). Every RPATH is
# relative ($ORIGIN), so an installed prefix can be moved as a whole.
# Included by the top CMakeLists.txt after every target exists.
include(CMakePackageConfigHelpers)

set(INITFORGE_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/initforge")
# Relative to the library directory; builtin_plugin_dir() looks there.
set(INITFORGE_PLUGIN_SUBDIR "initforge/plugins")
set(INITFORGE_INSTALL_PLUGINDIR
    "${CMAKE_INSTALL_LIBDIR}/${INITFORGE_PLUGIN_SUBDIR}")
set(INITFORGE_INSTALL_DATADIR "${CMAKE_INSTALL_DATADIR}/initforge")
# Headers go under include/initforge so that "framework/..." paths do not
# collide with other packages (framework/CMakeLists.txt's INSTALL_INTERFACE).
set(INITFORGE_INSTALL_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}/initforge")

# Relative paths between installed directories, for RPATHs and the CLI.
file(RELATIVE_PATH _bin_to_lib "${CMAKE_INSTALL_FULL_BINDIR}"
     "${CMAKE_INSTALL_FULL_LIBDIR}")
file(RELATIVE_PATH _bin_to_prefix "${CMAKE_INSTALL_FULL_BINDIR}"
     "${CMAKE_INSTALL_PREFIX}")
file(RELATIVE_PATH _plugins_to_lib
     "${CMAKE_INSTALL_FULL_LIBDIR}/${INITFORGE_PLUGIN_SUBDIR}"
     "${CMAKE_INSTALL_FULL_LIBDIR}")
if(_bin_to_prefix STREQUAL "")
  set(_bin_to_prefix ".")
endif()

# libinitforge_core finds its plugin directory next to itself (dladdr).
target_compile_definitions(
  initforge_core PRIVATE INITFORGE_PLUGIN_SUBDIR="${INITFORGE_PLUGIN_SUBDIR}")
# The CLI finds its prefix, package and plot script next to the executable.
target_compile_definitions(
  initforge
  PRIVATE INITFORGE_VERSION_TEXT="${PROJECT_VERSION}"
          INITFORGE_BIN_TO_PREFIX="${_bin_to_prefix}"
          INITFORGE_INSTALL_CMAKEDIR="${INITFORGE_INSTALL_CMAKEDIR}"
          INITFORGE_INSTALL_PLOT_SCRIPT="${INITFORGE_INSTALL_DATADIR}/plot_training.py"
)

set(_libraries initforge_core initforge_layers initforge_model initforge_train)
set_target_properties(${_libraries} PROPERTIES INSTALL_RPATH "$ORIGIN")
set_target_properties(initforge PROPERTIES INSTALL_RPATH
                                           "$ORIGIN/${_bin_to_lib}")
# Every built-in plugin: the targets initforge_builtin_plugins depends on.
get_target_property(_plugins initforge_builtin_plugins
                    MANUALLY_ADDED_DEPENDENCIES)
set_target_properties(${_plugins} PROPERTIES INSTALL_RPATH
                                             "$ORIGIN/${_plugins_to_lib}")

install(
  TARGETS initforge_core
  EXPORT initforgeTargets
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(TARGETS initforge_layers initforge_model initforge_train
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(TARGETS initforge RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(TARGETS ${_plugins} LIBRARY DESTINATION "${INITFORGE_INSTALL_PLUGINDIR}")
install(PROGRAMS "${PROJECT_SOURCE_DIR}/tools/plot_training.py"
        DESTINATION "${INITFORGE_INSTALL_DATADIR}")

# The plugin SDK: everything framework/plugin/plugin.h includes (tests/package
# builds plugins against exactly these), plus text.h's message helpers.
set(_sdk_headers
    core/error.h
    core/error_text.h
    core/export.h
    core/generator.h
    core/shape.h
    core/tensor_view.h
    init/args.h
    init/calibration.h
    init/fans.h
    init/gain.h
    init/initializer.h
    init/target.h
    init/text.h
    plugin/plugin.h)
foreach(_header IN LISTS _sdk_headers)
  get_filename_component(_dir "${_header}" DIRECTORY)
  install(FILES "${PROJECT_SOURCE_DIR}/framework/${_header}"
          DESTINATION "${INITFORGE_INSTALL_INCLUDEDIR}/framework/${_dir}")
endforeach()

install(
  EXPORT initforgeTargets
  NAMESPACE initforge::
  FILE initforgeTargets.cmake
  DESTINATION "${INITFORGE_INSTALL_CMAKEDIR}")
configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/initforgeConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/package/initforgeConfig.cmake"
  INSTALL_DESTINATION "${INITFORGE_INSTALL_CMAKEDIR}"
  PATH_VARS INITFORGE_INSTALL_PLUGINDIR)
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/package/initforgeConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMajorVersion)
install(FILES "${PROJECT_BINARY_DIR}/package/initforgeConfig.cmake"
              "${PROJECT_BINARY_DIR}/package/initforgeConfigVersion.cmake"
              "${CMAKE_CURRENT_LIST_DIR}/InitforgePlugin.cmake"
        DESTINATION "${INITFORGE_INSTALL_CMAKEDIR}")
