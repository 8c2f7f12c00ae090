# Sourced by bin/cairn: the JVM options of a member, and its ahead-of-time cache.
# engine/README.md ("Start-up, memory and disk") says why each figure is what it is.

# The options every Cairn JVM needs: FFM calls, and Agrona/Aeron's use of internal classes. And a
# cap on the temporary direct buffers the JDK keeps per thread after a read or write through a heap
# buffer: without it each is kept at the size of the largest such call the thread ever made.
# And NativePosix.syscall compiled on its own, never inlined into its callers: the JDK's errno
# capture makes a 40-byte segment per call that the JIT removes only in a small compiled method;
# inlined down into the Raft loop's duty cycle it stayed, 40-80 bytes per put in 2-3 runs of ten
# (engine/README.md, "Allocation per put", eighth round). `quiet`: the JVM would print the command.
# And compact object headers (JEP 519, a product option since JDK 25): 8 bytes of header per object
# instead of 12, so every object a put makes, and every one the heap holds, is smaller
# (engine/README.md, "Allocation per put", ninth round).
cairn_jvm_base_options="--enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Djdk.nio.maxCachedBufferSize=262144 -XX:CompileCommand=quiet -XX:CompileCommand=dontinline,io.cairn.posix.NativePosix::syscall -XX:+UseCompactObjectHeaders"

# What the training member (cairn_aot_train) adds: it records the classes it loads and links, not
# the method profiles of JEP 515. A member started with the recorded profiles compiled the
# training's mixed load at once and kept that code: warm, it used 15-30% more CPU per put than a
# member with the same cache's classes alone or with no cache, and it was not faster cold
# (engine/README.md, "The AOT cache without method profiles"). Diagnostic options, but only the
# training run gets them.
cairn_aot_training_options="-XX:+UnlockDiagnosticVMOptions -XX:-AOTRecordTraining"

# Prints the backend quota in bytes that the member's arguments ($@) or ETCD_QUOTA_BACKEND_BYTES
# give, as the server reads them (a flag wins over the variable); 0 when neither does.
cairn_quota_bytes() {
  cairn_quota=${ETCD_QUOTA_BACKEND_BYTES:-0}
  while [ $# -gt 0 ]; do
    case $1 in
      --quota-backend-bytes=*) cairn_quota=${1#*=} ;;
      --quota-backend-bytes) [ $# -gt 1 ] && cairn_quota=$2 && shift ;;
    esac
    shift
  done
  case $cairn_quota in
    '' | *[!0-9]*) echo 0 ;; # not a number: the server refuses it with a clear error
    *) echo "$cairn_quota" ;;
  esac
}

# Prints the heap and direct-memory limits for a member with a quota of $1 bytes (0: etcd's
# default, 2 GiB). The tree lives in mapped memory outside the heap; the heap holds the Raft log
# since the last snapshot (--snapshot-count entries), watchers, leases and requests in flight:
# 256 MiB up to a 4 GiB quota, then a sixteenth of the quota (512 MiB at 8 GiB), at most 2 GiB.
# The heap starts small and G1 grows it only as the load needs, so an idle member stays small.
# Every 5 s the JVM hands the C heap's free memory back to the kernel (malloc_trim): glibc keeps
# what the JVM's own allocations freed (direct buffers, the compiler's arenas) in its arenas, about
# 25 MB after a 300,000-key load (engine/README.md, "Memory: the C heap handed back").
cairn_memory_options() {
  cairn_quota_mb=$(( $1 / 1048576 ))
  [ "$cairn_quota_mb" -gt 0 ] || cairn_quota_mb=2048
  cairn_heap_mb=$(( cairn_quota_mb / 16 ))
  [ "$cairn_heap_mb" -ge 256 ] || cairn_heap_mb=256
  [ "$cairn_heap_mb" -le 2048 ] || cairn_heap_mb=2048
  echo "-Xms32m -Xmx${cairn_heap_mb}m -XX:MaxDirectMemorySize=$(( cairn_heap_mb / 2 ))m -XX:TrimNativeHeapInterval=5000"
}

# The JDK a cache was made by, and the options above: the cache is refused by any other JVM build,
# and by the same JVM with another object layout (UseCompactObjectHeaders), with error lines at
# every start; a cache trained with other training options is left out too, so that a change to
# them takes effect at the next training instead of being hidden by an older cache. Read with the
# shell's own `read`, as everything on a member's start path here (no sed, no cat: each costs a
# process).
cairn_jdk_identity() {
  cairn_jdk_runtime=
  if [ -r "$JAVA_HOME/release" ]; then
    while IFS= read -r cairn_jdk_line || [ -n "$cairn_jdk_line" ]; do
      case $cairn_jdk_line in
        JAVA_RUNTIME_VERSION=*) cairn_jdk_runtime=${cairn_jdk_line#JAVA_RUNTIME_VERSION=}; break ;;
      esac
    done < "$JAVA_HOME/release"
  fi
  printf '%s %s %s %s\n' "$JAVA_HOME" "$cairn_jdk_runtime" "$cairn_jvm_base_options" "$cairn_aot_training_options"
}

# Prints -XX:AOTCache=FILE when the cache FILE ($1) was made from the jar ($2) as it is now, by
# this JDK and with these options; nothing otherwise (the member then starts without it, as the JVM
# would after refusing a stale cache, but without the JVM's error lines). A cache that is there but
# stale is named on stderr: a `./mvnw package` after the training leaves one, and the member would
# start cold without a word. CAIRN_AOT=off never uses it.
cairn_aot_option() {
  [ "${CAIRN_AOT:-on}" != off ] && [ -f "$1" ] || return 0
  cairn_aot_jdk=
  [ -r "$1.jdk" ] && { IFS= read -r cairn_aot_jdk < "$1.jdk" || true; }
  if [ ! "$1" -nt "$2" ]; then
    echo "cairn: $2 is newer than its ahead-of-time cache; the member starts without the cache" \
      "(bin/cairn --aot-train makes it again)" >&2
  elif [ "$cairn_aot_jdk" != "$(cairn_jdk_identity)" ]; then
    echo "cairn: the ahead-of-time cache $1 was made by another JDK than $JAVA_HOME or with other JVM" \
      "options; the member starts without it (bin/cairn --aot-train makes it again)" >&2
  else
    echo "-XX:AOTCache=$1"
  fi
  return 0
}

# Makes the cache FILE ($1) for the jar ($2) with a training member (io.cairn.engine.server.aot).
# The member runs with exactly the options bin/cairn gives a member with the default quota, and the
# training options above.
cairn_aot_train() {
  # shellcheck disable=SC2086 # the option lists are split on purpose
  "$JAVA_HOME/bin/java" $cairn_jvm_base_options -cp "$2" io.cairn.engine.server.aot.AotTraining \
    --output "$1" --work-dir "${TMPDIR:-/tmp}" -- \
    "$JAVA_HOME/bin/java" $cairn_jvm_base_options $(cairn_memory_options 0) $cairn_aot_training_options -jar "$2" \
    && cairn_jdk_identity > "$1.jdk"
}
