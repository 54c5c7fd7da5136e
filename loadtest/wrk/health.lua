-- wrk script for the baseline: GET /health (one trivial store check per request).
done = function(summary, latency, requests)
  io.write(string.format("p50=%.2fms p99=%.2fms p99.9=%.2fms non2xx=%d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    summary.errors.status))
end
