-- wrk script: GET /api/v1/consumers/{account} with a bearer token,
-- rotating over the accounts in the file named by BIJLI_ACCOUNTS.
-- Environment: BIJLI_TOKEN, BIJLI_ACCOUNTS (file, one account a line).
local token = os.getenv("BIJLI_TOKEN")
local accounts = {}
for line in io.lines(os.getenv("BIJLI_ACCOUNTS")) do
  accounts[#accounts + 1] = line
end
local counter = 0

function setup(thread)
  thread:set("offset", math.random(#accounts))
end

function request()
  counter = counter + 1
  local account = accounts[(offset + counter) % #accounts + 1]
  return wrk.format("GET", "/api/v1/consumers/" .. account,
                    { ["Authorization"] = "Bearer " .. token })
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d socket_errors=%d non_2xx=%d p50_us=%d p99_us=%d\n",
                         summary.requests, summary.duration,
                         errors.connect + errors.read + errors.write + errors.timeout,
                         errors.status, latency:percentile(50), latency:percentile(99)))
end
