# Sourced by the loadtest scripts: reads config/jvm.options (bin/ringpool's JVM options) into the
# array JVM_OPTS, with ${RINGPOOL_DATA_DIR} replaced by the data directory given as $1, so every
# measured figure is for the settings the server ships with.
jvm_options() {
  JVM_OPTS=()
  local line
  while IFS= read -r line; do
    line="${line%%#*}"; line="${line#"${line%%[![:space:]]*}"}"; line="${line%"${line##*[![:space:]]}"}"
    [ -n "$line" ] && JVM_OPTS+=("${line//\${RINGPOOL_DATA_DIR\}/$1}")
  done < config/jvm.options
}
