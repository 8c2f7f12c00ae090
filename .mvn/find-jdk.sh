# Sourced by ./mvnw and the launchers in bin/: points JAVA_HOME at a JDK >= 25.
# The machine's default java may be older (Debian ships 17), and a newcomer should not have to
# know that; so an older or unset JAVA_HOME is replaced by the newest suitable JDK found in the
# usual install locations. When none is found we stop with one line that says what to do.

cairn_jdk_required_feature=25

# Sets cairn_jdk_found to the feature release (e.g. 25) of the JDK at $1, or to nothing if it is not
# a JDK. The release file is read with the shell's own `read`: the launchers run this at every
# start, and a sed per candidate directory cost tens of milliseconds (issue #21).
cairn_jdk_feature() {
  cairn_jdk_found=
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -r "$1/release" ]; then
    while IFS= read -r cairn_jdk_line || [ -n "$cairn_jdk_line" ]; do
      case $cairn_jdk_line in
        JAVA_VERSION=\"[0-9]*)
          cairn_jdk_found=${cairn_jdk_line#JAVA_VERSION=\"}
          cairn_jdk_found=${cairn_jdk_found%%[!0-9]*}
          return 0 ;;
      esac
    done < "$1/release"
  else
    cairn_jdk_found=$("$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
  fi
}

cairn_jdk_is_suitable() {
  cairn_jdk_feature "$1"
  [ -n "$cairn_jdk_found" ] && [ "$cairn_jdk_found" -ge "$cairn_jdk_required_feature" ]
}

cairn_jdk_find() {
  if [ -n "${JAVA_HOME-}" ] && cairn_jdk_is_suitable "$JAVA_HOME"; then
    return 0
  fi
  cairn_jdk_best=
  cairn_jdk_best_feature=0
  # Globs are needed here even when the caller runs with `set -f` (mvnw does).
  case $- in *f*) cairn_jdk_noglob=1; set +f ;; *) cairn_jdk_noglob= ;; esac
  for cairn_jdk_dir in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* \
      "${HOME-}"/.sdkman/candidates/java/* "${HOME-}"/.jdks/*; do
    if cairn_jdk_is_suitable "$cairn_jdk_dir" && [ "$cairn_jdk_found" -gt "$cairn_jdk_best_feature" ]; then
      cairn_jdk_best=$cairn_jdk_dir
      cairn_jdk_best_feature=$cairn_jdk_found
    fi
  done
  [ -z "$cairn_jdk_noglob" ] || set -f
  if [ -z "$cairn_jdk_best" ]; then
    echo "cairn: needs JDK $cairn_jdk_required_feature or newer, found none (JAVA_HOME=${JAVA_HOME:-unset}); install one (e.g. Temurin $cairn_jdk_required_feature) and run: export JAVA_HOME=/path/to/jdk-$cairn_jdk_required_feature" >&2
    exit 1
  fi
  JAVA_HOME=$cairn_jdk_best
  export JAVA_HOME
}

cairn_jdk_find
