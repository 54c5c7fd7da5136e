# Sourced by the loadtest scripts: reads config/jvm.options (bin/ringpool's JVM options) into the
# array JVM_OPTS, with ${RINGPOOL_DATA_DIR} replaced by the data directory given as $1, so every
# measured figure is for the settings the server ships with.
jvm_options() {
  JVM_OPTS=()
  local line major
  major="$("${JAVA:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java}" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1)"
  while IFS= read -r line; do
    line="${line%%#*}"; line="${line#"${line%%[![:space:]]*}"}"; line="${line%"${line##*[![:space:]]}"}"
    # "[25+] -XX:..." : only on a JDK of that version or newer, as in bin/ringpool
    if [[ "$line" =~ ^\[([0-9]+)\+\][[:space:]]*(.*)$ ]]; then
      [ "${major:-0}" -ge "${BASH_REMATCH[1]}" ] || continue
      line="${BASH_REMATCH[2]}"
    fi
    [ -n "$line" ] && JVM_OPTS+=("${line//\${RINGPOOL_DATA_DIR\}/$1}")
  done < config/jvm.options
  # A collector named in SERVER_JAVA_OPTS replaces the file's, as in bin/ringpool.
  if [[ " ${SERVER_JAVA_OPTS:-} " =~ \ -XX:\+Use[A-Za-z0-9]+GC\  ]]; then
    local kept=() opt
    for opt in "${JVM_OPTS[@]}"; do [[ "$opt" =~ ^-XX:\+Use[A-Za-z0-9]+GC$ ]] || kept+=("$opt"); done
    JVM_OPTS=("${kept[@]}")
  fi
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
