-- The audit chain is linked when its transaction commits, not when an event is written.
--
-- Before, appendAudit read the chain's head row FOR UPDATE inside the writer's transaction, so the
-- head stayed locked across every later round trip of that transaction between Haven and the
-- database; when the server was busy, each round trip waited for its turn in Node's event loop,
-- and every write of every user queued behind it (docs/benchmarks.md, the outreach benchmark: 95 %
-- of the statement time of 32 callers was this wait).
--
-- Now appendAudit inserts its events into audit_pending, with the canonical text of everything the
-- hash covers except the sequence number and the previous hash (`body`, made by canonicalJson in
-- audit.ts). A deferred constraint trigger runs at COMMIT, in the same transaction: it takes the
-- head, numbers the event, hashes it exactly as hashAuditRow does (sha256 of the canonical JSON
-- array [seq, …body…, prev_hash]), appends it to audit_events and removes the pending row. The
-- head is locked only for those few statements inside the commit, with no round trip to Haven.
-- Atomicity is unchanged: the events commit or roll back with what they record. The rows of
-- audit_pending never outlive their transaction (hence UNLOGGED: nothing in it survives a commit).

CREATE UNLOGGED TABLE audit_pending (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_user_id uuid,
  actor_organisation_id uuid,
  actor_role text,
  action text NOT NULL,
  record_type text,
  record_id text,
  programme_id uuid,
  outcome text NOT NULL,
  request_id text,
  purpose text,
  ip text,
  details jsonb NOT NULL,
  body text NOT NULL
);

CREATE FUNCTION haven_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  prev text;
  n bigint;
  h text;
BEGIN
  SELECT last_seq + 1, last_hash INTO n, prev FROM audit_head WHERE id = 1 FOR UPDATE;
  h := encode(sha256(convert_to('[' || n::text || ',' || NEW.body || ',' || to_json(prev)::text || ']', 'UTF8')), 'hex');
  INSERT INTO audit_events (seq, at, actor_user_id, actor_organisation_id, actor_role, action, record_type, record_id,
                            programme_id, outcome, request_id, purpose, ip, details, prev_hash, hash)
  VALUES (n, NEW.at, NEW.actor_user_id, NEW.actor_organisation_id, NEW.actor_role, NEW.action, NEW.record_type, NEW.record_id,
          NEW.programme_id, NEW.outcome, NEW.request_id, NEW.purpose, NEW.ip, NEW.details, prev, h);
  UPDATE audit_head SET last_seq = n, last_hash = h WHERE id = 1;
  DELETE FROM audit_pending WHERE id = NEW.id;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER audit_pending_chain AFTER INSERT ON audit_pending
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION haven_audit_chain();
