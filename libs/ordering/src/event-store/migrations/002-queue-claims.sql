-- The queue in the database, so that the oldest-first claim of GET /start/ is decided there,
-- in the transaction that appends the start (docs/adr/0012). Kept by cafe_append itself:
-- an order is in it while its stream's latest event is OrderPlaced or OrderRequeued, at the
-- position it was placed at (a requeued order goes back to its place by placement).
CREATE TABLE cafe_queue (
  stream          text   PRIMARY KEY,
  placed_position bigint NOT NULL UNIQUE
);

INSERT INTO cafe_queue (stream, placed_position)
  SELECT placed.stream, placed.position
  FROM cafe_events placed
  WHERE placed.version = 1
    AND (SELECT latest.type FROM cafe_events latest WHERE latest.stream = placed.stream
         ORDER BY latest.version DESC LIMIT 1) IN ('OrderPlaced', 'OrderRequeued');

-- As in 001, plus: an item may be a claim, {claim: {type: 'OrderStarted', at, barista?}},
-- which starts the oldest queued order (refused 'empty' when none is), every landed append
-- keeps cafe_queue up to date, and each row says which stream its append went to. The NOTIFY
-- sent at commit carries the group's events, {"head": n, "events": [{position, stream,
-- version, data}, ...]}, so that a follower already at the group's first position takes them
-- in without a read; a payload past PostgreSQL's 8000-byte limit carries the head alone, and
-- followers read by position as before (docs/adr/0012).
DROP FUNCTION cafe_append(jsonb);
CREATE FUNCTION cafe_append(appends jsonb)
RETURNS TABLE (first_position bigint, refused text, actual_version integer, stream text)
LANGUAGE plpgsql AS $$
DECLARE
  head bigint;
  item jsonb;
  actual integer;
  added integer;
  landed jsonb := '[]';
  payload text;
BEGIN
  -- Baristas polling an empty queue: only claims, and nothing to claim. Answered without the
  -- head lock, so the transaction writes nothing and waits for no fsync.
  IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(appends) a WHERE NOT a.value ? 'claim')
     AND NOT EXISTS (SELECT 1 FROM cafe_queue) THEN
    RETURN QUERY SELECT NULL::bigint, 'empty'::text, NULL::integer, NULL::text
      FROM jsonb_array_elements(appends);
    RETURN;
  END IF;
  SELECT h.position INTO head FROM cafe_log_head h FOR UPDATE;
  FOR item IN SELECT value FROM jsonb_array_elements(appends) LOOP
    IF item ? 'claim' THEN
      -- The head lock already makes this the only writer; SKIP LOCKED keeps the claim
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
    landed := landed || (
      SELECT jsonb_agg(jsonb_build_object('position', head + e.n, 'stream', stream,
                                          'version', actual + e.n, 'data', e.value) ORDER BY e.n)
      FROM jsonb_array_elements(item->'events') WITH ORDINALITY AS e(value, n));
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
  IF landed = '[]' THEN
    RETURN;
  END IF;
  UPDATE cafe_log_head SET position = head;
  payload := jsonb_build_object('head', head, 'events', landed)::text;
  IF octet_length(payload) > 7900 THEN
    payload := jsonb_build_object('head', head)::text;
  END IF;
  -- Delivered at commit; a wake-up and a shortcut, never the truth: followers that miss it or
  -- cannot use it read by position (docs/adr/0012).
  PERFORM pg_notify('cafe_events', payload);
END
$$;
