-- cafe_append as in 002, with two costs taken out (docs/adr/0012):
--
-- Why the whole function is copied here rather than kept once (say in a file re-applied at
-- every start): in a rolling upgrade, instances of the old and the new release run against one
-- database, and any of them may restart. Re-applied at start, the function would be whatever
-- the instance that started last carried, so an old instance restarting would put the old body
-- back under the new ones (here: the head's row lock beside the advisory lock, the race below,
-- for as long as the rollout lasts). A numbered file is applied once, under the migrations'
-- lock, so the body only ever moves forward. The next change to cafe_append is a new file with
-- the whole function again, CREATE OR REPLACE, and this file stays as it is.
--
-- * The log is serialised by a transaction-scoped advisory lock, not a row lock on
--   cafe_log_head. A row lock is a write: every group that took it, even one in which nothing
--   landed, waited for a WAL flush at commit while every other writer of the fleet queued
--   behind it. With several instances, each sends a claim for an order its views show
--   queued; the losers now cost the log a wait for the lock and a read, not a flush.
-- * The notification's events are read back once, after the loop, and only for a group small
--   enough to fit PostgreSQL's payload. 002 grew a jsonb array by concatenation per append,
--   which copies it each time: a group of 2,000 placements took 1.7 s, now 53 ms.
--
-- Applied to a fleet that is running, a group already inside 002's body (row lock) can race one
-- in this body (advisory lock) for a position: the primary key or PostgreSQL's deadlock check
-- fails one of them, and its callers get 503 for a group that did not commit. Nothing lands
-- twice or out of order; it can only happen in the moment this migration commits.
CREATE OR REPLACE FUNCTION cafe_append(appends jsonb)
RETURNS TABLE (first_position bigint, refused text, actual_version integer, stream text)
LANGUAGE plpgsql AS $$
DECLARE
  head bigint;
  item jsonb;
  actual integer;
  added integer;
  first_head bigint;
  payload text;
BEGIN
  -- Baristas polling an empty queue: only claims, and nothing to claim. Answered without the
  -- log's lock, so the transaction waits for no other instance's commit.
  IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(appends) a WHERE NOT a.value ? 'claim')
     AND NOT EXISTS (SELECT 1 FROM cafe_queue) THEN
    RETURN QUERY SELECT NULL::bigint, 'empty'::text, NULL::integer, NULL::text
      FROM jsonb_array_elements(appends);
    RETURN;
  END IF;
  -- The log's lock: held to commit, so appends commit in position order. An advisory lock
  -- writes nothing, unlike a row lock, so a group that lands nothing (claims that found the
  -- queue emptied by another instance while they waited, refused appends) commits without
  -- waiting for a WAL flush, and holds the lock only as long as its reads take.
  PERFORM pg_advisory_xact_lock(hashtext('cafe_log_head'));
  SELECT h.position INTO head FROM cafe_log_head h;
  first_head := head;
  FOR item IN SELECT value FROM jsonb_array_elements(appends) LOOP
    IF item ? 'claim' THEN
      -- The log's lock already makes this the only writer; SKIP LOCKED keeps the claim
      -- exclusive without waiting should queue rows ever be locked outside it.
      SELECT q.stream INTO stream FROM cafe_queue q
        ORDER BY q.placed_position LIMIT 1 FOR UPDATE SKIP LOCKED;
      IF NOT FOUND THEN
        first_position := NULL; refused := 'empty'; actual_version := NULL; stream := NULL;
        RETURN NEXT; CONTINUE;
      END IF;
      SELECT max(e.version) INTO actual FROM cafe_events e WHERE e.stream = cafe_append.stream;
      item := jsonb_build_object('stream', stream, 'expected', actual,
        'events', jsonb_build_array(item->'claim' || jsonb_build_object('orderId', stream)));
    END IF;
    stream := item->>'stream';
    SELECT coalesce(max(e.version), 0) INTO actual FROM cafe_events e WHERE e.stream = cafe_append.stream;
    actual_version := actual;
    IF actual <> (item->>'expected')::integer THEN
      first_position := NULL; refused := 'version'; RETURN NEXT; CONTINUE;
    END IF;
    IF item ? 'key' THEN
      PERFORM 1 FROM cafe_idempotency_keys k WHERE k.key = item->'key'->>'key';
      IF FOUND THEN
        first_position := NULL; refused := 'key'; RETURN NEXT; CONTINUE;
      END IF;
      INSERT INTO cafe_idempotency_keys (key, order_id, fingerprint)
        VALUES (item->'key'->>'key', stream, item->'key'->>'fingerprint');
    END IF;
    INSERT INTO cafe_events (position, stream, version, type, at, data)
      SELECT head + e.n, cafe_append.stream, actual + e.n, e.value->>'type', (e.value->>'at')::bigint, e.value
      FROM jsonb_array_elements(item->'events') WITH ORDINALITY AS e(value, n);
    GET DIAGNOSTICS added = ROW_COUNT;
    IF item->'events'->-1->>'type' IN ('OrderPlaced', 'OrderRequeued') THEN
      INSERT INTO cafe_queue (stream, placed_position)
        SELECT cafe_append.stream, e.position FROM cafe_events e
        WHERE e.stream = cafe_append.stream AND e.version = 1;
    ELSE
      DELETE FROM cafe_queue q WHERE q.stream = cafe_append.stream;
    END IF;
    first_position := head + 1; refused := NULL; RETURN NEXT;
    head := head + added;
  END LOOP;
  -- A group of refusals and empty claims (baristas polling) changed nothing to tell.
  IF head = first_head THEN
    RETURN;
  END IF;
  UPDATE cafe_log_head SET position = head;
  -- Past 64 events a group cannot fit the 8000-byte payload (an event of the café takes over
  -- 120 bytes with its UUID), so it is not even built: followers read such a group back.
  IF head - first_head <= 64 THEN
    SELECT jsonb_build_object('head', head, 'events', jsonb_agg(jsonb_build_object(
             'position', e.position, 'stream', e.stream, 'version', e.version, 'data', e.data)
             ORDER BY e.position))::text
      INTO payload
      -- Bounded on both sides, so that the plan PL/pgSQL caches for this statement, made for
      -- any value of its parameters, stays a short range of the primary key.
      FROM cafe_events e WHERE e.position > first_head AND e.position <= head;
  END IF;
  IF payload IS NULL OR octet_length(payload) > 7900 THEN
    payload := jsonb_build_object('head', head)::text;
  END IF;
  -- Delivered at commit; a wake-up and a shortcut, never the truth: followers that miss it or
  -- cannot use it read by position (docs/adr/0012).
  PERFORM pg_notify('cafe_events', payload);
END
$$;
