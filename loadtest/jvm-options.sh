# Sourced by the loadtest scripts: reads bin/ringpool's JVM options (bin/jvm-options, from
# config/jvm.options) into the array JVM_OPTS for the data directory given as $1, so every
# measured figure is for the settings the server ships with; a collector named in
# SERVER_JAVA_OPTS replaces the file's, as in bin/ringpool.
jvm_options() {
  JVM_OPTS=()
  local opt
  # shellcheck disable=SC2086
  while IFS= read -r opt; do JVM_OPTS+=("$opt"); done \
    < <(bin/jvm-options "${JAVA:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java}" "$1" ${SERVER_JAVA_OPTS:-})
}

# The collector the options name ("Parallel", "G1", ...), for the figures' labels; the last one
# named wins, as SERVER_JAVA_OPTS may name another (bin/ringpool then drops the file's line).
jvm_collector() {
  local name=default opt
  for opt in "${JVM_OPTS[@]}" ${SERVER_JAVA_OPTS:-}; do
    [[ "$opt" =~ ^-XX:\+Use([A-Za-z0-9]+)GC$ ]] && name="${BASH_REMATCH[1]}"
  done
  echo "$name"
}
