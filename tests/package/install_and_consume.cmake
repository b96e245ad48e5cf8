# Run by the Package.InstalledConsumerBuildsAndRuns test (cmake -P; variables from
# tests/package/CMakeLists.txt). Fails with the step's output on the first problem.

# run(<step> <command...>): runs a command, echoes its output, stops the test if it fails.
function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message("${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "package test: ${step} failed (exit ${rc})")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

set(prefix ${SCRATCH_DIR}/prefix)
set(consumer_src ${SCRATCH_DIR}/consumer-src)
set(consumer_build ${SCRATCH_DIR}/consumer-build)
file(REMOVE_RECURSE ${SCRATCH_DIR})
file(MAKE_DIRECTORY ${SCRATCH_DIR})

set(build_type ${CONFIG})
if(NOT build_type)
  set(build_type Release)
endif()
run("install" ${CMAKE_COMMAND} --install ${CALO_BINARY_DIR} --prefix ${prefix} --config ${build_type})

# Only the public headers are installed: the same files as include/calo3dgan/.
file(GLOB_RECURSE installed RELATIVE ${prefix}/include ${prefix}/include/*)
file(GLOB_RECURSE public RELATIVE ${CALO_SOURCE_DIR}/include ${CALO_SOURCE_DIR}/include/*)
list(SORT installed)
list(SORT public)
if(NOT installed STREQUAL public)
  message(FATAL_ERROR "package test: installed headers [${installed}] are not the public ones [${public}]")
endif()
# The package must not point back into the source or build tree.
file(GLOB package_files ${prefix}/lib*/cmake/calo3dgan/*.cmake)
foreach(file ${package_files})
  file(READ ${file} text)
  foreach(tree ${CALO_SOURCE_DIR} ${CALO_BINARY_DIR})
    string(FIND "${text}" "${tree}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "package test: ${file} names ${tree}")
    endif()
  endforeach()
endforeach()

# A copy of the consumer, so it cannot reach the source tree by a relative path either.
file(COPY ${CONSUMER_SOURCE_DIR}/ DESTINATION ${consumer_src})
set(configure_args -S ${consumer_src} -B ${consumer_build} -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=${build_type} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
if(CXX_LAUNCHER)
  list(APPEND configure_args -DCMAKE_CXX_COMPILER_LAUNCHER=${CXX_LAUNCHER})
endif()
run("consumer configure" ${CMAKE_COMMAND} ${configure_args})
string(FIND "${run_output}" "calo3dgan_DIR=${prefix}/" at)
if(at EQUAL -1)
  message(FATAL_ERROR "package test: the consumer did not find the package under ${prefix}")
endif()
run("consumer build" ${CMAKE_COMMAND} --build ${consumer_build} --config ${build_type})

file(GLOB_RECURSE consumer_exe ${consumer_build}/shower_file_consumer)
run("consumer run" ${consumer_exe} ${SCRATCH_DIR}/showers.h5)
string(FIND "${run_output}" "consumer: ok" at)
if(at EQUAL -1)
  message(FATAL_ERROR "package test: the consumer did not report success")
endif()

# The generator API: a checkpoint made by the installed CLI, then the consumer's generator
# test (2 threads = sequential) and the installed example program, built out of tree too.
run("init checkpoint" ${prefix}/bin/calo3dgan model --init-checkpoint ${SCRATCH_DIR}/generator.h5 --seed 3)
file(GLOB_RECURSE generator_exe ${consumer_build}/generator_consumer)
run("generator consumer run" ${generator_exe} ${SCRATCH_DIR}/generator.h5)
string(FIND "${run_output}" "generator consumer: ok" at)
if(at EQUAL -1)
  message(FATAL_ERROR "package test: the generator consumer did not report success")
endif()
file(GLOB example_src ${prefix}/share/doc/calo3dgan/examples/shower_generator)
if(NOT example_src)
  message(FATAL_ERROR "package test: the example program is not installed under share/doc/calo3dgan/examples")
endif()
set(example_build ${SCRATCH_DIR}/example-build)
set(example_args -S ${example_src} -B ${example_build} -G ${GENERATOR} -DCMAKE_BUILD_TYPE=${build_type}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
if(CXX_LAUNCHER)
  list(APPEND example_args -DCMAKE_CXX_COMPILER_LAUNCHER=${CXX_LAUNCHER})
endif()
run("example configure" ${CMAKE_COMMAND} ${example_args})
run("example build" ${CMAKE_COMMAND} --build ${example_build} --config ${build_type})
file(GLOB_RECURSE example_exe ${example_build}/shower_generator_example)
run("example run" ${example_exe} ${SCRATCH_DIR}/generator.h5 80)
string(FIND "${run_output}" "one 80 GeV shower" at)
if(at EQUAL -1)
  message(FATAL_ERROR "package test: the example program did not generate a shower")
endif()
