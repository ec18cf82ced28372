# Sourced by ./vecml and ./test.sh: sets JAVA_HOME to a JDK >= 25 or stops with a clear message.
# Order: $JAVA_HOME if it is >= 25, then the standard JVM install folders (newest first),
# then the `java` on PATH.

vecml_jdk_major() { # prints the feature version of the JDK at $1, or nothing
  local home=$1 v=""
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -r "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release" | head -n 1)
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n 1)
  fi
  v=${v#1.}           # 1.8 -> 8
  printf '%s\n' "${v%%[.+-]*}"
}

vecml_find_jdk() {
  local need=25 cand major
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(vecml_jdk_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge "$need" ] 2>/dev/null; then return 0; fi
    echo "vecml: JAVA_HOME=$JAVA_HOME is JDK ${major:-?}, not >= $need; looking for another JDK." >&2
  fi
  local found=""
  for cand in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /usr/local/java/* \
              "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
              /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$cand" ] || continue
    [ -L "$cand" ] && continue
    major=$(vecml_jdk_major "$cand")
    if [ -n "$major" ] && [ "$major" -ge "$need" ] 2>/dev/null; then
      found="$found$major $cand"$'\n'
    fi
  done
  if [ -z "$found" ] && command -v java >/dev/null 2>&1; then
    cand=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    major=$(vecml_jdk_major "$cand")
    if [ -n "$major" ] && [ "$major" -ge "$need" ] 2>/dev/null; then found="$major $cand"; fi
  fi
  if [ -z "$found" ]; then
    cat >&2 <<MSG
vecml: no JDK $need or newer found.
  Looked at: \$JAVA_HOME (${JAVA_HOME:-unset}), /usr/lib/jvm/*, /usr/java/*, /opt/java/*, ~/.sdkman, ~/.jdks,
  and the java on PATH ($(command -v java 2>/dev/null || echo none)).
  Install a JDK $need (for example Eclipse Temurin 25) and/or set JAVA_HOME to its folder.
MSG
    return 1
  fi
  JAVA_HOME=$(printf '%s' "$found" | sort -n -r -k1,1 | head -n 1 | cut -d' ' -f2-)
  export JAVA_HOME
}
