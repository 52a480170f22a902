-- The live orders (placed, not yet finished or cancelled), kept in every append's transaction
-- by a trigger, so that a start reads them and their streams rather than the whole log
-- (docs/adr/0014). A trigger, not a change to cafe_append: the function stays as 005 left it.
-- Which events settle an order is the rule of `settles` in libs/ordering/src/domain/order.ts,
-- repeated here because the table must change in the transaction of the append.
CREATE TABLE cafe_live_orders (stream text PRIMARY KEY);

-- Refills the table from the whole log, under the log's lock: here, at a start that finds the
-- table does not match the log, and by `make rebuild-views`.
CREATE FUNCTION cafe_rebuild_live_orders() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('cafe_log_head'));
  DELETE FROM cafe_live_orders;
  INSERT INTO cafe_live_orders (stream)
    SELECT placed.stream FROM cafe_events placed
    WHERE placed.type = 'OrderPlaced'
      AND NOT EXISTS (SELECT 1 FROM cafe_events settled WHERE settled.stream = placed.stream
                      AND settled.type IN ('OrderFinished', 'OrderCancelled'));
END $$;

SELECT cafe_rebuild_live_orders();

CREATE FUNCTION cafe_keep_live_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.type = 'OrderPlaced' THEN
    INSERT INTO cafe_live_orders (stream) VALUES (NEW.stream);
  ELSIF NEW.type IN ('OrderFinished', 'OrderCancelled') THEN
    DELETE FROM cafe_live_orders WHERE stream = NEW.stream;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER cafe_live_orders AFTER INSERT ON cafe_events
  FOR EACH ROW EXECUTE FUNCTION cafe_keep_live_orders();
