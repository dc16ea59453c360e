#!lua name=sale_bucket

-- One stock bucket of a round's sale (see server/sale/keys.ts for the layout).
-- A bucket's keys share their own hash tag {round:ID:b:I}, so on Redis Cluster
-- each bucket sits on its own slot, and the buckets of a round spread over the
-- primaries. Everything a purchase must decide at once lives in the bucket the
-- buyer is routed to by a hash of their id: the stock it takes from, the
-- buyer's limits (what they held before, what they bought here), the
-- idempotency keys and the stream the purchase is added to. One purchase is
-- therefore one call on one slot, as atomic on a cluster as on one Redis.
-- Time is Redis's own clock (TIME).
--
-- KEYS: 1 cfg, 2 stock, 3 bought, 4 base, 5 idem, 6 stream, 7 state, 8 moves, 9 in

local CFG, STOCK, BOUGHT, BASE, IDEM, STREAM, STATE, MOVES, IN = 1, 2, 3, 4, 5, 6, 7, 8, 9

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function left(keys)
  return tonumber(redis.call('GET', keys[STOCK]) or '0')
end

-- setup(stamp, unit, monthLimit, holdLimit, given) -> stock left
-- `given`: the won this bucket is owed in total (its share of the round's
-- stock placed so far, server/sale/gate.ts bucketShare). Only what was not
-- given yet is added, so the call may be repeated after a crash or by every
-- sale process at once and the stock is placed exactly once.
local function setup(keys, args)
  local before = tonumber(redis.call('HGET', keys[CFG], 'given') or '0')
  local given = tonumber(args[5])
  if given > before then
    redis.call('INCRBY', keys[STOCK], given - before)
    redis.call('HSET', keys[CFG], 'given', given)
  end
  redis.call('HSET', keys[CFG], 'version', args[1], 'unit', args[2], 'monthLimit', args[3], 'holdLimit', args[4])
  return left(keys)
end

-- enroll(buyerId, monthBase, holdBase): what the buyer bought this month and
-- holds, read from the log when they first joined; kept with their bucket so
-- the limits are checked in the purchase's own call. Set once (a later join
-- returns the ticket already held and must not change it).
local function enroll(keys, args)
  return redis.call('HSETNX', keys[BASE], args[1], args[2] .. ':' .. args[3])
end

-- buy(buyerId, idemKey, face, eventId, lotId, district, method, paid, payment, bucket[, sessionEndsAt, closesAt])
-- -> {status, eventId, atMs, face}; {'short', '', stockLeft} when this bucket holds
-- less than the face (the gate then moves leftovers here and asks again).
-- The session was checked on the round's slot before (sale_poll before the
-- payment, or sale_session); `sessionEndsAt` and `closesAt`, when given, are
-- the session's end that check read and the round's close, judged again here
-- on Redis's clock: a session that ran out while the payment went through buys nothing.
local function buy(keys, args)
  local buyer = args[1]
  local idem = buyer .. ':' .. args[2]
  local prior = redis.call('HGET', keys[IDEM], idem)
  if prior then
    local sep = string.find(prior, '|', 1, true)
    local rest = string.sub(prior, sep + 1)
    local sep2 = string.find(rest, '|', 1, true)
    return { 'duplicate', string.sub(prior, 1, sep - 1), tonumber(string.sub(rest, 1, sep2 - 1)), tonumber(string.sub(rest, sep2 + 1)) }
  end
  local unit = tonumber(redis.call('HGET', keys[CFG], 'unit') or '0')
  if unit <= 0 then return { 'sale.notOnSale', '', 0 } end
  local now = now_ms()
  if args[11] then
    if now >= tonumber(args[12]) then return { 'sale.closed', '', 0 } end
    if now >= tonumber(args[11]) then return { 'sale.sessionExpired', '', 0 } end
  end
  -- One purchase per ticket, and a person holds one ticket per round.
  if redis.call('HEXISTS', keys[BOUGHT], buyer) == 1 then return { 'sale.ticketSpent', '', 0 } end
  local base = redis.call('HGET', keys[BASE], buyer)
  if not base then return { 'sale.notAdmitted', '', 0 } end
  local face = tonumber(args[3])
  if not face or face <= 0 or face % unit ~= 0 then return { 'sale.denomination', '', 0 } end
  local sep = string.find(base, ':', 1, true)
  local monthBase, holdBase = tonumber(string.sub(base, 1, sep - 1)), tonumber(string.sub(base, sep + 1))
  local bought = tonumber(redis.call('HGET', keys[BOUGHT], buyer) or '0')
  if monthBase + bought + face > tonumber(redis.call('HGET', keys[CFG], 'monthLimit')) then return { 'sale.monthlyLimit', '', 0 } end
  if holdBase + bought + face > tonumber(redis.call('HGET', keys[CFG], 'holdLimit')) then return { 'sale.holdingLimit', '', 0 } end
  local have = left(keys)
  if have < face then return { 'short', '', have } end
  redis.call('DECRBY', keys[STOCK], face)
  redis.call('HINCRBY', keys[BOUGHT], buyer, face)
  redis.call('HSET', keys[IDEM], idem, args[4] .. '|' .. now .. '|' .. face)
  redis.call('HINCRBY', keys[STATE], 'sold', face)
  redis.call('HINCRBY', keys[STATE], 'purchases', 1)
  redis.call('XADD', keys[STREAM], '*', 'eventId', args[4], 'lotId', args[5], 'buyerId', buyer, 'district', args[6],
    'face', face, 'paid', args[8], 'method', args[7], 'payment', args[9], 'at', now, 'bucket', args[10])
  return { 'ok', args[4], now, face }
end

-- give(moveId, toBucket, want) -> won given: the first half of moving
-- leftovers to a bucket that ran short. Takes up to `want` (whole units) from
-- this bucket and records the move under its id, so a move whose second half
-- (receive) never ran is found and finished later (gate.settleMoves): stock
-- in transit is never lost and never counted twice.
local function give(keys, args)
  local have = left(keys)
  local n = math.min(have, tonumber(args[3]))
  if n <= 0 then return 0 end
  redis.call('DECRBY', keys[STOCK], n)
  redis.call('HSET', keys[MOVES], args[1], args[2] .. ':' .. n)
  redis.call('HINCRBY', keys[STATE], 'movedOut', n)
  return n
end

-- receive(moveId, amount) -> 1 when added now, 0 when this move was received before.
local function receive(keys, args)
  if redis.call('HSETNX', keys[IN], args[1], args[2]) == 0 then return 0 end
  redis.call('INCRBY', keys[STOCK], tonumber(args[2]))
  redis.call('HINCRBY', keys[STATE], 'movedIn', tonumber(args[2]))
  return 1
end

-- counters() -> {stock left, sold, purchases, moved in, moved out, given}
local function counters(keys, args)
  local s = redis.call('HMGET', keys[STATE], 'sold', 'purchases', 'movedIn', 'movedOut')
  return { left(keys), tonumber(s[1] or '0'), tonumber(s[2] or '0'), tonumber(s[3] or '0'), tonumber(s[4] or '0'), tonumber(redis.call('HGET', keys[CFG], 'given') or '0') }
end

redis.register_function('bucket_setup', setup)
redis.register_function('bucket_enroll', enroll)
redis.register_function('bucket_buy', buy)
redis.register_function('bucket_give', give)
redis.register_function('bucket_receive', receive)
redis.register_function{ function_name = 'bucket_counters', callback = counters, flags = { 'no-writes' } }
