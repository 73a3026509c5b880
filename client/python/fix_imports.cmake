# cmake -DDIR=<generated dir> -P fix_imports.cmake
# Rewrites the generated stubs' imports of each other to point inside the
# tserve_client package, and adds the package markers.
file(GLOB_RECURSE generated "${DIR}/*.py")
foreach(path ${generated})
  file(READ "${path}" text)
  string(REPLACE "from tserve.v1 import " "from tserve_client._generated.tserve.v1 import "
                 text "${text}")
  string(REPLACE "from grpc.health.v1 import "
                 "from tserve_client._generated.grpc.health.v1 import " text "${text}")
  file(WRITE "${path}" "${text}")
endforeach()
foreach(package "" "/tserve" "/tserve/v1" "/grpc" "/grpc/health" "/grpc/health/v1")
  file(WRITE "${DIR}${package}/__init__.py" "")
endforeach()
