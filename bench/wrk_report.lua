-- wrk script: count every non-2xx response as an error (wrk itself accepts 3xx) and print one
-- machine-readable summary line for bench/run.py. With an argument (`-- TOKEN`), every request
-- adds a query parameter no other request had, so no cached copy of a page can answer it.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  errors = 0
  unique = args[1]
  counter = 0
  sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
end

function request()
  if unique then
    counter = counter + 1
    return wrk.format(nil, wrk.path .. sep .. "miss=" .. unique .. "-" .. counter)
  end
  return wrk.format()
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local status_errors = 0
  for _, thread in ipairs(threads) do
    status_errors = status_errors + thread:get("errors")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p95_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, status_errors,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
