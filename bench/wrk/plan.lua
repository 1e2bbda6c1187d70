-- Replays a request plan, round-robin: one request per line, "METHOD<TAB>path<TAB>cookie<TAB>body".
-- Arguments: plan file, CSRF token for POSTs, expected status. Prints one JSON line when done.
local plan, next_request, threads = {}, 0, {}
unexpected = 0 -- global: done() reads it from each thread

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[3])
  for line in io.lines(args[1]) do
    local method, path, cookie, body = line:match("^(%u+)\t([^\t]+)\t([^\t]*)\t(.*)$")
    local headers = {}
    if cookie ~= "" then headers["Cookie"] = cookie end
    if method == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      headers["X-CSRFToken"] = args[2]
      headers["HX-Request"] = "true"
    end
    table.insert(plan, wrk.format(method, path, headers, body))
  end
end

function request()
  next_request = next_request % #plan + 1
  return plan[next_request]
end

function response(status, headers, body)
  if status ~= expected then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do wrong = wrong + thread:get("unexpected") end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, "unexpected_status": %d, ' ..
    '"socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, wrong, e.connect + e.read + e.write + e.timeout))
end
