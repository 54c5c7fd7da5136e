-- wrk script: heartbeats of live sessions, as open pages send them. Reads the session ids from the
-- file named by SESSION_IDS (one per line, written by sessions.lua with SESSION_IDS_OUT) and picks
-- one at random per request. Spread over many sessions and client addresses, as on a real site,
-- so the per-session (60/min) and per-address (1,200/min) heartbeat limits see real traffic.
local ids = {}

function init(args)
  for line in io.lines(os.getenv("SESSION_IDS")) do
    ids[#ids + 1] = line
  end
  math.randomseed(os.time())
end

request = function()
  local id = ids[math.random(1, #ids)]
  local ip = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  return wrk.format("POST", "/v1/sessions/" .. id .. "/heartbeat", {
    ["Content-Type"] = "application/json",
    ["X-Forwarded-For"] = ip,
  }, "")
end

done = function(summary, latency, requests)
  io.write(string.format("p50=%.2fms p99=%.2fms p99.9=%.2fms non2xx=%d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    summary.errors.status))
end
