-- wrk script: GET /api/v1/consumers?q=… with a bearer token, rotating over
-- the queries in the file named by BIJLI_QUERIES (URL-encoded, one a line).
local token = os.getenv("BIJLI_TOKEN")
local queries = {}
for line in io.lines(os.getenv("BIJLI_QUERIES")) do
  queries[#queries + 1] = line
end
local counter = 0

function setup(thread)
  thread:set("offset", math.random(#queries))
end

function request()
  counter = counter + 1
  local q = queries[(offset + counter) % #queries + 1]
  return wrk.format("GET", "/api/v1/consumers?limit=20&q=" .. q,
                    { ["Authorization"] = "Bearer " .. token })
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d socket_errors=%d non_2xx=%d p50_us=%d p99_us=%d\n",
                         summary.requests, summary.duration,
                         errors.connect + errors.read + errors.write + errors.timeout,
                         errors.status, latency:percentile(50), latency:percentile(99)))
end
