#!/usr/bin/env bash
# Builds vecml and runs every test (the README's second command). Extra arguments go to Maven,
# e.g. ./test.sh -Dvecml.require=simd,openblas  or  ./test.sh -pl engine -Dtest=KernelsTest
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/find-jdk.sh
. "$here/scripts/find-jdk.sh"
vecml_find_jdk || exit 1
echo "vecml: using JDK at $JAVA_HOME" >&2
cd "$here"
exec ./mvnw -B -ntp verify "$@"
