# The PyPI ROS wheels export CMake targets whose include directories point into the container
# they were built in (/opt/python/...). Those paths do not exist here and make the generators'
# targets fail to configure, so drop every non-existent include directory from imported targets
# once configuration is complete. Installed files stay untouched.
function(_lite_tracker_drop_missing_include_dirs)
  get_property(targets DIRECTORY "${CMAKE_SOURCE_DIR}" PROPERTY IMPORTED_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
    if(NOT dirs)
      continue()
    endif()
    set(kept "")
    foreach(dir IN LISTS dirs)
      if(dir MATCHES "^\\$<" OR EXISTS "${dir}")
        list(APPEND kept "${dir}")
      endif()
    endforeach()
    set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${kept}")
  endforeach()
endfunction()
cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _lite_tracker_drop_missing_include_dirs)
