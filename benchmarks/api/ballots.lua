-- wrk script of bench_api.py: every request posts one valid ballot with a voting code never used before.
-- wrk -s ballots.lua URL -- CODES_FILE PATH THREADS [keys]
-- With "keys", each request carries an Idempotency-Key (its code), as the voting pages send.
-- Thread k (0-based) of T posts codes k+1, k+1+T, k+1+2T, ... of CODES_FILE (one code a line); past the end of
-- the file it posts "exhausted", which the server refuses (counted as an error, never silently).
local next_index = 0
function setup(thread)
  thread:set("thread_index", next_index) -- a global of the thread's own Lua state
  next_index = next_index + 1
end

function init(args)
  codes = {}
  for line in io.lines(args[1]) do
    codes[#codes + 1] = line
  end
  path = args[2]
  threads = tonumber(args[3])
  keyed = args[4] == "keys"
  sent = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local code = codes[thread_index + 1 + sent * threads] or "exhausted"
  sent = sent + 1
  local body = '{"credential":{"kind":"code","value":"' .. code .. '"},"selections":["a","c"]}'
  if keyed then
    return wrk.format(nil, path, {["Content-Type"] = "application/json", ["Idempotency-Key"] = code}, body)
  end
  return wrk.format(nil, path, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"errors_connect":%d,"errors_read":%d,"errors_write":%d,' ..
    '"errors_status":%d,"errors_timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
