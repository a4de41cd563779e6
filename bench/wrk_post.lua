-- wrk script of `make bench`: POSTs the JSON bodies of a file (one per line, path given after
-- `--`) in turn, counts answers other than 200/201, and prints one line of JSON at the end
-- (latencies in microseconds) that bench/common.py reads.

bodies = {}
position = 0
unexpected = 0
sample = ""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      table.insert(bodies, line)
    end
  end
  if #bodies == 0 then
    error("no request bodies in " .. args[1])
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  -- Threads start at different bodies.
  position = (id or 0) * 7919 % #bodies
end

function request()
  position = position % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[position])
end

function response(status, headers, body)
  if status ~= 200 and status ~= 201 then
    unexpected = unexpected + 1
    if sample == "" then
      sample = status .. " " .. string.sub(body or "", 1, 400):gsub("[\r\n]", " ")
    end
  end
end

function done(summary, latency, requests)
  local bad = 0
  local first = ""
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("unexpected") or 0)
    local s = thread:get("sample")
    if first == "" and s ~= nil and s ~= "" then
      first = s
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "timeouts": %d, "status_errors": %d, ' ..
    '"unexpected": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.timeout,
    e.status, bad, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
  if first ~= "" then
    io.write("WRK_SAMPLE " .. first .. "\n")
  end
end
