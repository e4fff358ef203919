#!/bin/sh
# Installs what aupfilter needs to build and test on Debian 12. Idempotent:
# installs only the packages that are missing. Runs apt-get as root (through
# sudo when not root).
set -eu

# The last line is for aupfilter-bench: its PCRE2-JIT and RE2::Set baselines
# and its charts (the library, the CLI and the tests build without them).
packages="build-essential cmake pkg-config libhyperscan-dev libicu-dev libconfig-dev
libjansson-dev libyajl-dev zlib1g-dev libcmocka-dev man-db python3
libpcre2-dev libre2-dev gnuplot-nox"
# sanitizer, fuzzing and valgrind runs (scripts/test-reliability.sh)
if [ "${AUPF_TEST_RELIABILITY:-0}" = 1 ]; then
    packages="$packages clang libclang-rt-14-dev valgrind"
fi

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing$missing" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "install-deps: run as root to install:$missing" >&2
        exit 1
    }
    sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
