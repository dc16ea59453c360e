#!lua name=sale

-- The sale gate: every decision that moves stock is taken here, inside one
-- Redis function call, so concurrent buyers on any number of sale processes
-- cannot both take the last unit. Time is Redis's own clock (TIME), not the
-- caller's. Every key a call touches is passed in KEYS (see server/sale/keys.ts)
-- and carries the hash tag {round:ID}, so the layout runs on Redis Cluster.
-- This library holds the round's waiting room (one slot); the stock, the
-- buyers' limits and the purchase stream live in the round's buckets, each on
-- its own slot (bucket.lua). `left` in the state hash follows the buckets
-- (placed here, lowered by sale_bought) for the sold-out notice and the cut-off.
--
-- KEYS: 1 cfg, 2 queue, 3 tickets, 4 active, 5 done, 6 state, 7 outflow,
--       then the live monitor's three, on the same slot: 8 monitor (counters
--       per minute and per 10 s, refusals, payment errors), 9 joined (join
--       time of those waiting), 10 waits (histogram of admitted buyers' waits)

local CFG, QUEUE, TICKETS, ACTIVE, DONE, STATE, OUTFLOW = 1, 2, 3, 4, 5, 6, 7
local MONITOR, JOINED, WAITS = 8, 9, 10
-- Scores in the queue: shuffled pre-opening arrivals take [0, OPEN_BASE), everyone else OPEN_BASE + arrival number.
local OPEN_BASE = 1e12

-- The upper edge, in seconds, of the histogram bin a wait falls in: 1 s bins under a
-- minute, 10 s under ten minutes, a minute beyond, so p50/p90 read from it are
-- at most 15% above the exact value and the histogram stays small however long the wait.
local function wait_edge(ms)
  local s = math.ceil(ms / 1000)
  if s <= 60 then return math.max(s, 1) end
  if s <= 600 then return math.ceil(s / 10) * 10 end
  return math.ceil(s / 60) * 60
end

-- Counts for the live monitor, one field per minute (or per 10 s) so a read is
-- HMGET of the fields it shows and never a scan; the minute is Redis's clock's.
local function tally(keys, prefix, at_ms, per_ms, n)
  redis.call('HINCRBY', keys[MONITOR], prefix .. math.floor(at_ms / per_ms), n)
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function config(keys)
  local flat = redis.call('HGETALL', keys[CFG])
  if #flat == 0 then return nil end
  local c = {}
  for i = 1, #flat, 2 do c[flat[i]] = flat[i + 1] end
  for _, k in ipairs({ 'stock', 'buckets', 'opensAt', 'closesAt', 'unit', 'monthLimit', 'holdLimit', 'perMinute', 'maxActive', 'timeoutMs', 'paused', 'stopped', 'added', 'cutoff', 'meanUnits', 'cutMargin' }) do
    c[k] = tonumber(c[k])
  end
  return c
end

local function stock_left(keys)
  return tonumber(redis.call('HGET', keys[STATE], 'left') or '0')
end

-- Why the round sells no more, or nil: sold out (less than the smallest purchase left) or past closesAt.
local function ended(keys, c, now)
  if c.stopped == 1 then return 'sale.stopped' end
  if redis.call('HGET', keys[STATE], 'soldout') == '1' then return 'sale.soldOut' end
  if now >= c.closesAt then return 'sale.closed' end
  return nil
end

-- setup(stamp, stock, buckets, opensAt, closesAt, unit, monthLimit, holdLimit, perMinute, maxActive, timeoutMs, order, paused, stopped, added,
--       cutoff, meanUnits, cutMargin)
-- The round's approved settings as the server published them, with the
-- officials' steering on top; `stamp` is "version.revision", so each published
-- version and each steering change is applied once. Stock is placed once; a
-- later stamp changes the waiting room, pause and stop, and adds only stock
-- added since the last stamp (`added` is the total added during the sale).
-- The buckets are given their shares of the placed stock by the gate
-- afterwards (bucket_setup), from `stock` and `buckets` as stored here.
local function setup(keys, args)
  local fields = { 'version', 'stock', 'buckets', 'opensAt', 'closesAt', 'unit', 'monthLimit', 'holdLimit', 'perMinute', 'maxActive', 'timeoutMs', 'order', 'paused', 'stopped', 'added', 'cutoff', 'meanUnits', 'cutMargin' }
  local existing = redis.call('HGET', keys[CFG], 'version')
  if existing == args[1] then return 'same' end
  local unit = tonumber(args[6])
  if existing == false then
    -- Buckets hold whole units so a bucket never strands a part of one.
    local units = math.floor(tonumber(args[2]) / unit)
    redis.call('HSET', keys[STATE], 'sold', 0, 'purchases', 0, 'seq', 0, 'arrivals', 0, 'admitted', 0, 'expired', 0, 'left', units * unit)
    if units == 0 then redis.call('HSET', keys[STATE], 'soldout', '1') end
  else
    -- The stock and its bucket count stay as placed; stock added since is added in whole units.
    local placed = tonumber(redis.call('HGET', keys[CFG], 'stock'))
    local buckets = tonumber(redis.call('HGET', keys[CFG], 'buckets'))
    local more = tonumber(args[15]) - tonumber(redis.call('HGET', keys[CFG], 'added') or '0')
    if more > 0 then
      local units = math.floor(more / unit)
      placed = placed + units * unit
      redis.call('HINCRBY', keys[STATE], 'left', units * unit)
      redis.call('HDEL', keys[STATE], 'soldout')
    else
      args[15] = redis.call('HGET', keys[CFG], 'added') or '0'
    end
    args[2] = tostring(placed)
    args[3] = tostring(buckets)
  end
  for i, f in ipairs(fields) do redis.call('HSET', keys[CFG], f, args[i]) end
  return existing == false and 'placed' or 'updated'
end

-- The stock cut-off (the round's waitingRoom.stockCutoff): how many may wait with
-- a chance of buying. The stock left, less what the active sessions will take,
-- in average purchases, widened by the round's margin: the simulator's rule.
local function cut_limit(keys, c)
  local left = stock_left(keys) / c.unit
  local places = (left / c.meanUnits - redis.call('ZCARD', keys[ACTIVE])) * (1 + c.cutMargin)
  return math.max(0, math.ceil(places))
end

-- join(buyerId, ticketId, shuffle in [0,1), monthBase, holdBase, windowOpensAt) -> {status, ticketId}
-- One ticket per person per round: joining again returns the ticket already held.
-- The bases (what the buyer bought this month and holds) go to the buyer's
-- bucket (bucket_enroll), where the purchase checks them.
-- windowOpensAt: when the buyer's birth-year window opens (the opening for other orders).
local function join(keys, args)
  local c = config(keys)
  if not c then return { 'sale.notOnSale', '' } end
  local now = now_ms()
  local why = ended(keys, c, now)
  if why then
    redis.call('HINCRBY', keys[MONITOR], 'refused', 1)
    return { why, '' }
  end
  local buyer = args[1]
  local held = redis.call('HGET', keys[TICKETS], buyer)
  if held then return { 'existing', held } end
  if c.order == 'birth_year' and now < tonumber(args[6]) then
    redis.call('HINCRBY', keys[MONITOR], 'refused', 1)
    return { 'sale.birthYearWindow', '' }
  end
  -- Beyond the stock already: told now, not after a wait for nothing.
  if c.cutoff == 1 and now >= c.opensAt and redis.call('ZCARD', keys[QUEUE]) >= cut_limit(keys, c) then
    redis.call('HINCRBY', keys[STATE], 'cut', 1)
    redis.call('HINCRBY', keys[MONITOR], 'refused', 1)
    return { 'sale.cutOff', '' }
  end
  local seq = redis.call('HINCRBY', keys[STATE], 'seq', 1)
  local score = OPEN_BASE + seq
  if now < c.opensAt and c.order == 'shuffle_preopen' then score = math.floor(tonumber(args[3]) * OPEN_BASE) end
  redis.call('ZADD', keys[QUEUE], score, buyer)
  redis.call('HSET', keys[TICKETS], buyer, args[2])
  redis.call('HINCRBY', keys[STATE], 'arrivals', 1)
  tally(keys, 'a:', now, 60000, 1)
  -- A wait is counted from the opening for those who came early: nobody is admitted before it.
  redis.call('HSET', keys[JOINED], buyer, math.max(now, c.opensAt))
  return { 'joined', args[2] }
end

-- poll(buyerId, ticketId) -> {status, number}: read only, so a poll costs no write.
-- A waiting buyer's answer also carries, read in the same call, the round's
-- admissions so far and removals from the queue's tail (`cutq`), and whether
-- the rank can only fall from now on (`fixed`: after the opening, or in an
-- order where nobody joins ahead of those waiting). A sale process keeps them
-- (server/sale/poll-view.ts) and answers the buyer's next polls from the
-- admissions it reads for the whole round (sale_view), without a call each:
-- {'waiting', rank, admitted, cutq, fixed}.
local function poll(keys, args)
  local c = config(keys)
  if not c then return { 'sale.notOnSale', 0 } end
  local buyer = args[1]
  if redis.call('HGET', keys[TICKETS], buyer) ~= args[2] then return { 'sale.ticketReplayed', 0 } end
  local done = redis.call('HGET', keys[DONE], buyer)
  if done == 'bought' then return { 'bought', 0 } end
  local now = now_ms()
  local why = ended(keys, c, now)
  if why then return { why, 0 } end
  if done == 'expired' then return { 'sale.sessionExpired', 0 } end
  if done == 'cutoff' then return { 'sale.cutOff', 0 } end
  local exp = redis.call('ZSCORE', keys[ACTIVE], buyer)
  if exp then
    if tonumber(exp) <= now then return { 'sale.sessionExpired', 0 } end
    return { 'admitted', tonumber(exp) }
  end
  local rank = redis.call('ZRANK', keys[QUEUE], buyer)
  if rank == false then return { 'sale.sessionExpired', 0 } end
  local s = redis.call('HMGET', keys[STATE], 'admitted', 'cutq')
  local fixed = (now >= c.opensAt or c.order ~= 'shuffle_preopen') and 1 or 0
  return { 'waiting', rank, tonumber(s[1] or '0'), tonumber(s[2] or '0'), fixed }
end

-- view(slots) -> {now, admitted, cutq, why the round sells no more or '', then
-- the admissions of the last `slots` 10 s slots, oldest first}: what every sale
-- process reads for a round a few times a second, in one call, to answer the
-- polls of those waiting (server/sale/poll-view.ts). Read only.
local function view(keys, args)
  local c = config(keys)
  if not c then return { 0, 0, 0, 'sale.notOnSale' } end
  local now = now_ms()
  local s = redis.call('HMGET', keys[STATE], 'admitted', 'cutq')
  local out = { now, tonumber(s[1] or '0'), tonumber(s[2] or '0'), ended(keys, c, now) or '' }
  local n = tonumber(args[1])
  if n > 0 then
    local last = math.floor(now / 10000)
    local fields = {}
    for i = 1, n do fields[i] = tostring(last - n + i) end
    local o = redis.call('HMGET', keys[OUTFLOW], unpack(fields))
    for i = 1, n do out[4 + i] = tonumber(o[i] or '0') end
  end
  return out
end

-- admit() -> admitted now. Run by every sale process's ticker; the token
-- bucket lives here, so N processes admit no faster than one would. The
-- session clock starts at admission: time spent queueing never counts.
local function admit(keys, args)
  local c = config(keys)
  if not c then return 0 end
  local now = now_ms()
  if now < c.opensAt or ended(keys, c, now) then return 0 end
  local gone = redis.call('ZRANGEBYSCORE', keys[ACTIVE], '-inf', now)
  for _, b in ipairs(gone) do redis.call('HSET', keys[DONE], b, 'expired') end
  if #gone > 0 then
    redis.call('ZREMRANGEBYSCORE', keys[ACTIVE], '-inf', now)
    redis.call('HINCRBY', keys[STATE], 'expired', #gone)
  end
  -- Paused: sessions still expire, nobody is admitted, the queue keeps its order,
  -- and no tokens gather, so resuming starts at the set rate rather than with a burst.
  if c.paused == 1 then
    redis.call('HSET', keys[STATE], 'tokens', '0', 'refilled', now)
    return 0
  end
  local tokens = tonumber(redis.call('HGET', keys[STATE], 'tokens') or '0')
  local last = tonumber(redis.call('HGET', keys[STATE], 'refilled') or tostring(c.opensAt))
  -- At most two seconds' worth may gather, so a paused ticker does not release a burst.
  local cap = math.max(1, c.perMinute / 30)
  tokens = math.min(cap, tokens + (now - last) * c.perMinute / 60000)
  local room = c.maxActive - redis.call('ZCARD', keys[ACTIVE])
  local n = math.min(math.floor(tokens), room)
  local admitted = 0
  if n > 0 then
    local popped = redis.call('ZPOPMIN', keys[QUEUE], n)
    for i = 1, #popped, 2 do
      redis.call('ZADD', keys[ACTIVE], now + c.timeoutMs, popped[i])
      -- The wait each admitted buyer actually had, into the histogram; their join time is no longer needed.
      local since = tonumber(redis.call('HGET', keys[JOINED], popped[i]) or tostring(now))
      redis.call('HINCRBY', keys[WAITS], wait_edge(math.max(0, now - since)), 1)
      redis.call('HDEL', keys[JOINED], popped[i])
    end
    admitted = #popped / 2
    tokens = tokens - admitted
  end
  redis.call('HSET', keys[STATE], 'tokens', tostring(tokens), 'refilled', now)
  -- Everyone waiting beyond what the stock can serve is told at once, and leaves the queue.
  if c.cutoff == 1 then
    local limit = cut_limit(keys, c)
    local beyond = redis.call('ZRANGE', keys[QUEUE], limit, -1)
    if #beyond > 0 then
      for _, b in ipairs(beyond) do redis.call('HSET', keys[DONE], b, 'cutoff') end
      redis.call('ZREMRANGEBYRANK', keys[QUEUE], limit, -1)
      redis.call('HINCRBY', keys[STATE], 'cut', #beyond)
      -- Removed from the queue other than from its head: a rank a sale process keeps may no longer hold (sale_poll).
      redis.call('HINCRBY', keys[STATE], 'cutq', #beyond)
    end
  end
  if admitted > 0 then
    redis.call('HINCRBY', keys[STATE], 'admitted', admitted)
    tally(keys, 'd:', now, 60000, admitted)
    -- Outflow per 10 s, the measure the wait band is read from; an hour is kept.
    local slot = math.floor(now / 10000)
    redis.call('HINCRBY', keys[OUTFLOW], slot, admitted)
    redis.call('HDEL', keys[OUTFLOW], slot - 360)
  end
  return admitted
end

-- session(buyerId, ticketId) -> 'ok' or why not: the first half of a
-- purchase, on the round's slot. A live session (counted from admission),
-- the round's window, a ticket not yet spent. The purchase itself (limits,
-- stock, stream) is then one call on the buyer's bucket (bucket_buy).
local function session(keys, args)
  local c = config(keys)
  if not c then return 'sale.notOnSale' end
  local buyer = args[1]
  if redis.call('HGET', keys[TICKETS], buyer) ~= args[2] then return 'sale.ticketReplayed' end
  local now = now_ms()
  local why = ended(keys, c, now)
  if why then return why end
  if now < c.opensAt then return 'sale.notOpen' end
  local done = redis.call('HGET', keys[DONE], buyer)
  if done == 'bought' then return 'sale.ticketSpent' end
  if done == 'expired' then return 'sale.sessionExpired' end
  local exp = redis.call('ZSCORE', keys[ACTIVE], buyer)
  if not exp then return 'sale.notAdmitted' end
  if tonumber(exp) <= now then return 'sale.sessionExpired' end
  return 'ok'
end

-- bought(buyerId, face, at) -> 1 when recorded now, 0 when recorded before: the
-- last half of a purchase the buyer's bucket took. Ends the session, counts
-- the sale, lowers `left` and says sold out when less than a unit is left.
-- Repeated for a purchase already recorded, it changes nothing.
local function bought(keys, args)
  local c = config(keys)
  if not c then return 0 end
  local buyer = args[1]
  if redis.call('HGET', keys[DONE], buyer) == 'bought' then return 0 end
  local face = tonumber(args[2])
  redis.call('HSET', keys[DONE], buyer, 'bought')
  redis.call('ZREM', keys[ACTIVE], buyer)
  redis.call('HINCRBY', keys[STATE], 'sold', face)
  redis.call('HINCRBY', keys[STATE], 'purchases', 1)
  -- The sale curve (won per minute) and purchases per 10 s, for the live monitor:
  -- past the check above, so a purchase is counted once however often this is repeated,
  -- and filed under the minute the bucket took it (args[3]), not when this call ran.
  local at = tonumber(args[3]) or now_ms()
  tally(keys, 's:', at, 60000, face)
  tally(keys, 'p:', at, 10000, 1)
  if redis.call('HINCRBY', keys[STATE], 'left', -face) < c.unit then redis.call('HSET', keys[STATE], 'soldout', '1') end
  return 1
end

-- counters() -> flat list of the state hash plus stock left: for polls' wait band and the check.
local function counters(keys, args)
  local c = config(keys)
  if not c then return {} end
  local out = redis.call('HGETALL', keys[STATE])
  table.insert(out, 'left')
  table.insert(out, tostring(stock_left(keys)))
  table.insert(out, 'stock')
  table.insert(out, tostring(c.stock))
  table.insert(out, 'waiting')
  table.insert(out, tostring(redis.call('ZCARD', keys[QUEUE])))
  table.insert(out, 'active')
  table.insert(out, tostring(redis.call('ZCARD', keys[ACTIVE])))
  return out
end

redis.register_function('sale_setup', setup)
redis.register_function('sale_join', join)
redis.register_function{ function_name = 'sale_poll', callback = poll, flags = { 'no-writes' } }
redis.register_function('sale_admit', admit)
redis.register_function{ function_name = 'sale_session', callback = session, flags = { 'no-writes' } }
redis.register_function('sale_bought', bought)
redis.register_function{ function_name = 'sale_counters', callback = counters, flags = { 'no-writes' } }
redis.register_function{ function_name = 'sale_view', callback = view, flags = { 'no-writes' } }
