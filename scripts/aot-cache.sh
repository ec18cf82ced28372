# Sourced by ./vecml: the JDK 25 ahead-of-time cache of the vecml jar (JEP 483/514).
#
# vecml_aot_prepare JAVA_HOME JAR DIR JVM_OPTION...
#   Sets VECML_AOT_OPTS to the options that use the cache for this jar and this JDK, creating the cache
#   first when it is missing (one training run of `vecml aot-train` under -XX:AOTCacheOutput, announced
#   in one line on stderr). Sets VECML_AOT_OPTS empty, and returns 0, when VECML_AOT=off, when the
#   cache cannot be made (one line on stderr, once per build: a marker file remembers the failure) or
#   while another launcher is making it. Never fails the command.
#
# The cache file's name is a key of the jar (size, mtime, checksum of those with its path) and of the
# JDK (its release file and path), so a rebuilt jar or another JDK gets a new cache and old ones are
# removed. The JVM checks the same things itself and ignores a cache that does not match (AOTMode
# auto); -Xlog:aot*=off keeps it from printing warnings about it.

vecml_aot_prepare() {
  local java_home=$1 jar=$2 dir=$3
  shift 3
  VECML_AOT_OPTS=""
  case "${VECML_AOT:-on}" in
    off|0|no|false) return 0 ;;
  esac
  local jdk_id jar_id key cache log tmp t0 t1
  jdk_id=$(cat "$java_home/release" 2>/dev/null | cksum | cut -d' ' -f1) || return 0
  jar_id=$(stat -c '%s-%Y' "$jar" 2>/dev/null) || return 0
  key=$(printf '%s|%s|%s|%s\n' "$java_home" "$jdk_id" "$jar" "$jar_id" | cksum | cut -d' ' -f1)
  cache="$dir/vecml-$key.aot"
  log="$dir/vecml-$key.log"
  if [ -s "$cache" ]; then
    VECML_AOT_OPTS="-XX:AOTCache=$cache -Xlog:aot*=off"
    return 0
  fi
  [ -e "$dir/vecml-$key.failed" ] && return 0
  mkdir -p "$dir" 2>/dev/null || return 0
  # One maker at a time: mkdir is atomic; a second launcher meanwhile runs without the cache.
  # A lock older than 10 minutes is left over from a killed run and is taken over.
  if ! mkdir "$dir/lock-$key" 2>/dev/null; then
    if [ -n "$(find "$dir/lock-$key" -maxdepth 0 -mmin +10 2>/dev/null)" ]; then
      rm -rf "$dir/lock-$key" && mkdir "$dir/lock-$key" 2>/dev/null || return 0
    else
      return 0
    fi
  fi
  echo "vecml: preparing the ahead-of-time cache for faster starts (once per build, about 20 s;" \
       "VECML_AOT=off skips it) ..." >&2
  tmp="$dir/lock-$key/vecml.aot"
  # Interrupted (Ctrl-C): no lock is left behind.
  trap 'rm -rf "$dir/lock-$key"; exit 130' INT TERM
  local limit=()
  # A hung training run must not hang the command: it is stopped after 5 minutes (--foreground: in
  # the launcher's process group, so Ctrl-C reaches it).
  command -v timeout >/dev/null 2>&1 && limit=(timeout --foreground 300)
  t0=$(date +%s)
  local rc=0
  ${limit[@]+"${limit[@]}"} "$java_home/bin/java" "$@" -XX:AOTCacheOutput="$tmp" -jar "$jar" aot-train \
    </dev/null >"$log" 2>&1 || rc=$?
  # The cache must load (AOTMode=on makes a cache the JVM cannot use an error) before it is kept.
  if [ "$rc" = 0 ] && [ -s "$tmp" ] \
     && "$java_home/bin/java" "$@" -XX:AOTCache="$tmp" -XX:AOTMode=on -Xlog:aot*=off -jar "$jar" --version \
          </dev/null >>"$log" 2>&1 \
     && mv -f "$tmp" "$cache"; then
    t1=$(date +%s)
    echo "AOT cache $cache made in $((t1 - t0)) s" >>"$log"
    # Caches of older builds or other JDKs are of no further use.
    find "$dir" -maxdepth 1 -name 'vecml-*.aot' ! -name "vecml-$key.aot" -delete 2>/dev/null || true
    find "$dir" -maxdepth 1 \( -name 'vecml-*.log' -o -name 'vecml-*.failed' \) ! -name "vecml-$key.*" \
      -delete 2>/dev/null || true
    VECML_AOT_OPTS="-XX:AOTCache=$cache -Xlog:aot*=off"
  else
    # Remembered for this build (a hang stopped by timeout too), unless the training run was interrupted
    # (SIGINT 130, SIGTERM 143): then the next run tries again.
    if [ "$rc" != 130 ] && [ "$rc" != 143 ]; then
      : >"$dir/vecml-$key.failed" 2>/dev/null || true
    fi
    echo "vecml: could not prepare the ahead-of-time cache (details in $log); running without it." >&2
  fi
  rm -rf "$dir/lock-$key"
  trap - INT TERM
  return 0
}
