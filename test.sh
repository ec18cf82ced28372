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
if [ ! -d "${VECML_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}" ]; then
  echo "vecml: note: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist, or set" >&2
  echo "       VECML_FASHION_MNIST=DIR); the tests on the real Fashion-MNIST files will be reported as skipped." >&2
fi
exec ./mvnw -B -ntp verify "$@"
