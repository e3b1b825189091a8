# cmake -DROOT=<source root> [-DSEEDS=<file;...>] -P cmake/check_layers.cmake
# Fails, naming each file and include, when a file includes a header of a layer its own may not
# include (cmake/layers.cmake), or of a folder that is no layer. The files read are those the
# build compiles: every source that cmake/sources.cmake names for a layer, plus daemon/main.cc
# (or SEEDS, relative to ROOT), and every header under ROOT that they include, followed to the
# end. A header nothing includes is compiled into nothing, so it cannot break a layer; reading
# the named files instead of globbing the folders keeps one list of what the project is made of.
# Run on every build (target check_layers) and by CTest, which also runs it with
# ROOT=tests/layers/wrong_include to show that it fails there.
cmake_minimum_required(VERSION 3.25)
if(NOT ROOT)
  message(FATAL_ERROR "check_layers: give -DROOT=<source root>")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/layers.cmake)
if(NOT DEFINED SEEDS)
  include(${CMAKE_CURRENT_LIST_DIR}/sources.cmake)
  set(SEEDS daemon/main.cc)
  foreach(layer IN LISTS CUSTOMSD_LAYERS)
    get_filename_component(name ${layer} NAME)
    string(TOUPPER ${name} upper)
    list(APPEND SEEDS ${CUSTOMSD_${upper}_SOURCES})
  endforeach()
endif()

set(violations "")
set(todo ${SEEDS})
set(seen "")
while(todo)
  list(POP_FRONT todo f)
  # Generated headers (build_info.h) live in the build tree and include nothing of ours.
  if(f IN_LIST seen OR NOT EXISTS ${ROOT}/${f})
    continue()
  endif()
  list(APPEND seen ${f})
  # A file belongs to its own folder only: subfolders are layers of their own.
  get_filename_component(layer ${f} DIRECTORY)
  set(allowed ${layer} ${CUSTOMSD_MAY_INCLUDE_${layer}})
  file(STRINGS ${ROOT}/${f} includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\".*" "\\1" header "${line}")
    list(APPEND todo ${header})
    get_filename_component(folder ${header} DIRECTORY)
    if(NOT layer IN_LIST CUSTOMSD_LAYERS OR folder IN_LIST allowed)
      continue()
    endif()
    if(folder IN_LIST CUSTOMSD_LAYERS)
      string(REPLACE ";" " " may "${CUSTOMSD_MAY_INCLUDE_${layer}}")
      string(APPEND violations "\n  ${f} includes ${header}: ${layer} may include only: ${may}")
    else()
      string(APPEND violations "\n  ${f} includes ${header}: \"${folder}\" is no layer")
    endif()
  endforeach()
endwhile()
if(violations)
  message(FATAL_ERROR "layer check failed (see cmake/layers.cmake):${violations}")
endif()
list(LENGTH seen read)
message(STATUS "layer check: ok (${read} files)")
