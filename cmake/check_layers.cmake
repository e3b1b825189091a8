# cmake -DROOT=<source root> -P cmake/check_layers.cmake
# Reads every .h and .cc of the layers in cmake/layers.cmake under ROOT and fails, naming each
# file and include, when a file includes a header of a layer its own may not include, or of a
# folder that is no layer. Run on every build (target check_layers) and by CTest, which also
# runs it on tests/layers/wrong_include to show that it fails there.
cmake_minimum_required(VERSION 3.25)
if(NOT ROOT)
  message(FATAL_ERROR "check_layers: give -DROOT=<source root>")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/layers.cmake)

set(violations "")
foreach(layer IN LISTS CUSTOMSD_LAYERS)
  # Not GLOB_RECURSE: a file belongs to its own folder only, and subfolders are layers of their own.
  file(GLOB files RELATIVE ${ROOT} ${ROOT}/${layer}/*.h ${ROOT}/${layer}/*.cc)
  set(allowed ${layer} ${CUSTOMSD_MAY_INCLUDE_${layer}})
  foreach(f IN LISTS files)
    file(STRINGS ${ROOT}/${f} includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\".*" "\\1" header "${line}")
      get_filename_component(folder ${header} DIRECTORY)
      if(folder IN_LIST allowed)
        continue()
      endif()
      if(folder IN_LIST CUSTOMSD_LAYERS)
        string(REPLACE ";" " " may "${CUSTOMSD_MAY_INCLUDE_${layer}}")
        string(APPEND violations "\n  ${f} includes ${header}: ${layer} may include only: ${may}")
      else()
        string(APPEND violations "\n  ${f} includes ${header}: \"${folder}\" is no layer")
      endif()
    endforeach()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "layer check failed (see cmake/layers.cmake):${violations}")
endif()
message(STATUS "layer check: ok")
