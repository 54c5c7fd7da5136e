# Sourced by the loadtest scripts: where a process's CPU went during a run, by thread group, from the
# kernel's own accounting (/proc/PID/task/*/stat, utime + stime). A sampling profiler such as JFR
# only sees threads that are running Java code, and on one core it keeps sampling threads that are
# runnable but waiting for the CPU: in session 4 it put the group-commit thread at 45 % of a session
# start's CPU, where the kernel counts 13-21 % (docs/scaling.md). These figures are the kernel's.

# thread_cpu_snapshot PID FILE: one line per thread, "tid ticks name" (ticks of 1/100 s).
thread_cpu_snapshot() {
  local pid=$1 out=$2 task
  : > "$out"
  for task in /proc/"$pid"/task/*; do
    local stat comm
    stat=$(cat "$task/stat" 2>/dev/null) || continue
    comm=$(tr ' ' '_' < "$task/comm" 2>/dev/null) || continue
    # fields after the ")" that closes the name: utime is the 12th, stime the 13th
    echo "${task##*/} $(echo "${stat##*) }" | awk '{print $12 + $13}') $comm" >> "$out"
  done
}

# thread_cpu_report BEFORE AFTER: the CPU used between two snapshots, as seconds and shares per
# thread group (JIT compiler, GC, Netty event loops, request workers, group commit, report refresh,
# compactor, sweeper, other), largest first, on one line.
thread_cpu_report() {
  awk 'NR == FNR {before[$1] = $2; next}
    {
      name = $3; group = "other"
      if (name ~ /^C[12]_CompilerThre/) group = "jit"
      else if (name ~ /^(GC_Thread|G1_|GC_)/ || name ~ /^G1/) group = "gc"
      else if (name ~ /^multiThreadIoEv|^epoll|^nioEventLoop/) group = "netty"
      else if (name ~ /^ringpool-worker/) group = "workers"
      else if (name ~ /^ringpool-group-/) group = "group-commit"
      else if (name ~ /^ringpool-report/) group = "report-refresh"
      else if (name ~ /^ringpool-compac/) group = "compactor"
      else if (name ~ /^ringpool-sweepe/) group = "sweeper"
      used[group] += $2 - before[$1]; total += $2 - before[$1]
    }
    END {
      if (total <= 0) { print "cpu: none recorded"; exit }
      line = sprintf("cpu %.1f s:", total / 100)
      n = 0; for (g in used) order[++n] = g
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (used[order[j]] > used[order[i]]) { t = order[i]; order[i] = order[j]; order[j] = t }
      for (i = 1; i <= n; i++) if (used[order[i]] > 0) line = line sprintf(" %s %.0f%%", order[i], 100 * used[order[i]] / total)
      print line
    }' "$1" "$2"
}
