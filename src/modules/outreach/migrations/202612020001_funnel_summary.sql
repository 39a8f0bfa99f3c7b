-- Where a contact stands in the funnel, kept on the contact itself so that the funnel of a period
-- is one pass over the period's contacts instead of a look-up into conversations, referrals and
-- escalations for each of them (funnel.ts; issue 4: one year of 500,000 contacts under 1 s).
--
-- Kept by triggers, whoever writes (the API, the demo, an import, a fixture), and recomputed from
-- the rows each time rather than counted up, so a summary can never drift from its facts:
--   contacts.talk            'held' when a conversation was held, else 'refused' when one was
--                            refused, else NULL (none, or only one in progress);
--   contacts.referred_kinds  the service kinds of its referrals that were not declined (NULL: none);
--   contacts.taken_up        a referral of it was taken up;
--   contacts.escalated_at    already set by escalations.ts; the trigger makes it certain for every
--                            escalation row.
-- attempts.contact_received_at is its contact's received_at, so that the reach rates of a cohort
-- read the attempts alone, without a join to a million contacts.

ALTER TABLE contacts ADD COLUMN talk text CHECK (talk IN ('held', 'refused'));
ALTER TABLE contacts ADD COLUMN referred_kinds text[];
ALTER TABLE contacts ADD COLUMN taken_up boolean NOT NULL DEFAULT false;
ALTER TABLE attempts ADD COLUMN contact_received_at timestamptz;

-- ---- Conversations → contacts.talk ----------------------------------------------------------------
CREATE FUNCTION haven_contact_talk(contact uuid) RETURNS void LANGUAGE sql AS $$
  UPDATE contacts c SET talk = s.talk
  FROM (SELECT CASE WHEN bool_or(v.status = 'held') THEN 'held'
                    WHEN bool_or(v.status = 'refused') THEN 'refused' END AS talk
        FROM conversations v WHERE v.contact_id = contact) s
  WHERE c.id = contact AND c.talk IS DISTINCT FROM s.talk
$$;

CREATE FUNCTION haven_conversations_talk() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM haven_contact_talk(OLD.contact_id); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.contact_id IS DISTINCT FROM OLD.contact_id) THEN
    PERFORM haven_contact_talk(NEW.contact_id);
  END IF;
  RETURN NULL;
END
$$;
-- An answer saved in a conversation changes neither its status nor its contact: no trigger then.
CREATE TRIGGER conversations_talk AFTER INSERT OR DELETE OR UPDATE OF status, contact_id ON conversations
  FOR EACH ROW EXECUTE FUNCTION haven_conversations_talk();

-- ---- Referrals → contacts.referred_kinds, contacts.taken_up ----------------------------------------
CREATE FUNCTION haven_contact_referrals(contact uuid) RETURNS void LANGUAGE sql AS $$
  UPDATE contacts c SET referred_kinds = s.kinds, taken_up = s.taken_up
  FROM (SELECT array_agg(DISTINCT r.service_kind ORDER BY r.service_kind) FILTER (WHERE r.status <> 'declined') AS kinds,
               coalesce(bool_or(r.status = 'taken_up'), false) AS taken_up
        FROM service_referrals r WHERE r.contact_id = contact) s
  WHERE c.id = contact AND (c.referred_kinds IS DISTINCT FROM s.kinds OR c.taken_up IS DISTINCT FROM s.taken_up)
$$;

CREATE FUNCTION haven_service_referrals_summary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM haven_contact_referrals(OLD.contact_id); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.contact_id IS DISTINCT FROM OLD.contact_id) THEN
    PERFORM haven_contact_referrals(NEW.contact_id);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER service_referrals_summary AFTER INSERT OR DELETE OR UPDATE OF status, service_kind, contact_id ON service_referrals
  FOR EACH ROW EXECUTE FUNCTION haven_service_referrals_summary();

-- ---- Escalations → contacts.escalated_at ---------------------------------------------------------
CREATE FUNCTION haven_escalations_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE contacts SET escalated_at = NEW.raised_at WHERE id = NEW.contact_id AND (escalated_at IS NULL OR escalated_at > NEW.raised_at);
  RETURN NULL;
END
$$;
CREATE TRIGGER escalations_contact AFTER INSERT ON escalations
  FOR EACH ROW EXECUTE FUNCTION haven_escalations_contact();

-- ---- Contacts' received_at → attempts.contact_received_at ----------------------------------------
CREATE FUNCTION haven_attempt_received_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.contact_received_at := (SELECT c.received_at FROM contacts c WHERE c.id = NEW.contact_id);
  RETURN NEW;
END
$$;
CREATE TRIGGER attempts_received_at BEFORE INSERT OR UPDATE OF contact_id ON attempts
  FOR EACH ROW EXECUTE FUNCTION haven_attempt_received_at();

CREATE FUNCTION haven_contact_received_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE attempts SET contact_received_at = NEW.received_at WHERE contact_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER contacts_received_at AFTER UPDATE OF received_at ON contacts
  FOR EACH ROW WHEN (OLD.received_at IS DISTINCT FROM NEW.received_at) EXECUTE FUNCTION haven_contact_received_at();

-- ---- What is already there -----------------------------------------------------------------------
UPDATE contacts c SET talk = s.talk
FROM (SELECT contact_id, CASE WHEN bool_or(status = 'held') THEN 'held' WHEN bool_or(status = 'refused') THEN 'refused' END AS talk
      FROM conversations GROUP BY contact_id) s
WHERE c.id = s.contact_id AND s.talk IS NOT NULL;
UPDATE contacts c SET referred_kinds = s.kinds, taken_up = s.taken_up
FROM (SELECT contact_id, array_agg(DISTINCT service_kind ORDER BY service_kind) FILTER (WHERE status <> 'declined') AS kinds,
             bool_or(status = 'taken_up') AS taken_up
      FROM service_referrals GROUP BY contact_id) s
WHERE c.id = s.contact_id;
UPDATE contacts c SET escalated_at = s.first
FROM (SELECT contact_id, min(raised_at) AS first FROM escalations GROUP BY contact_id) s
WHERE c.id = s.contact_id AND (c.escalated_at IS NULL OR c.escalated_at > s.first);
UPDATE attempts a SET contact_received_at = c.received_at FROM contacts c WHERE c.id = a.contact_id;
ALTER TABLE attempts ALTER COLUMN contact_received_at SET NOT NULL;

-- The reach rates of a cohort: its phone attempts, found by when their contacts came in, read from
-- the index alone.
CREATE INDEX attempts_cohort ON attempts (programme_id, contact_received_at)
  INCLUDE (attempt_no, part_of_day, outcome) WHERE channel = 'phone';
