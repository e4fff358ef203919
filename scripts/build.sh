#!/bin/sh
# Installs missing dependencies and builds into ${BUILD_DIR:-build}.
# Extra arguments go to cmake's configure step.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
