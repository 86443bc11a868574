# Sourced by ./poisk and ./run-tests: picks the newest JDK (>= 21) on this machine, because
# JVector's fast paths need 22+ and the default `java` here may be older.
# Sets POISK_JAVA_HOME, or fails with a message saying what to install.
poisk_find_jdk() {
  local best="" best_ver=0 cand ver
  for cand in "${JAVA_HOME:-}" /usr/lib/jvm/* "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$cand" ] && [ -x "$cand/bin/java" ] && [ -x "$cand/bin/javac" ] || continue
    ver=$("$cand/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1)
    ver=${ver#1.}
    [[ "$ver" =~ ^[0-9]+$ ]] || continue
    if [ "$ver" -gt "$best_ver" ]; then best="$cand"; best_ver="$ver"; fi
  done
  if [ -z "$best" ] || [ "$best_ver" -lt 21 ]; then
    echo "poisk: needs a full JDK 21 or newer (22+ recommended); found none under /usr/lib/jvm, JAVA_HOME or PATH" >&2
    return 1
  fi
  POISK_JAVA_HOME="$best"
  export POISK_JAVA_HOME
}
