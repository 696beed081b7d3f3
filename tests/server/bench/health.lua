-- wrk script: the constant answer of GET /api/v1/health, as a baseline of
-- what the HTTP stack alone costs.
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d socket_errors=%d non_2xx=%d p50_us=%d p99_us=%d\n",
                         summary.requests, summary.duration,
                         errors.connect + errors.read + errors.write + errors.timeout,
                         errors.status, latency:percentile(50), latency:percentile(99)))
end
