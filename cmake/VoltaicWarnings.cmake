# Warnings and floating-point rules shared by every voltaic target.
# Consensus code must be IEEE-exact (spec/market.md section 8): no FMA
# contraction, never fast-math.
add_library(voltaic_build_flags INTERFACE)
target_compile_options(voltaic_build_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -ffp-contract=off
  # GCC 12 reports std::optional<std::vector> members as maybe-uninitialized
  # when sorted or copied (a known false positive).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>
  $<$<BOOL:${VOLTAIC_WERROR}>:-Werror>)
install(TARGETS voltaic_build_flags EXPORT voltaic-targets)

# voltaic_library(<name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Defines voltaic_<name> with the ALIAS voltaic::<name> and its export.
function(voltaic_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(voltaic_${name} ${ARG_SOURCES})
  add_library(voltaic::${name} ALIAS voltaic_${name})
  set_target_properties(voltaic_${name} PROPERTIES EXPORT_NAME ${name}
                        POSITION_INDEPENDENT_CODE ON)
  target_include_directories(voltaic_${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(voltaic_${name}
    PUBLIC ${ARG_PUBLIC_DEPS}
    PRIVATE $<BUILD_INTERFACE:voltaic_build_flags> ${ARG_PRIVATE_DEPS})
  install(TARGETS voltaic_${name} EXPORT voltaic-targets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()
