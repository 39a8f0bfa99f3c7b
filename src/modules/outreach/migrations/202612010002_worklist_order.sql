-- The order of work of the worklist, backed by indexes so that a claim reads a few index entries
-- instead of sorting every open contact of the programme (worklist.ts):
--   due follow-up calls (follow_up_at ≤ now) by follow_up_at;
--   contacts with an attempt but no next moment (reached, the conversation pending);
--   contacts whose next attempt is due (next_due_at ≤ now) by next_due_at;
--   new contacts (no attempt) by the oldest police intervention, then the day they were received.
--
-- The date of the facts is the dossier's; it is copied onto its contacts (kept in step by the two
-- triggers below, whoever writes contacts or dossiers) so that new contacts can be read in that
-- order from one index.

ALTER TABLE contacts ADD COLUMN facts_on date;
UPDATE contacts c SET facts_on = d.facts_on FROM dossiers d WHERE d.id = c.dossier_id AND d.facts_on IS NOT NULL;

CREATE FUNCTION haven_contact_facts_on() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.facts_on := (SELECT d.facts_on FROM dossiers d WHERE d.id = NEW.dossier_id);
  RETURN NEW;
END
$$;
CREATE TRIGGER contacts_facts_on BEFORE INSERT OR UPDATE OF dossier_id ON contacts
  FOR EACH ROW EXECUTE FUNCTION haven_contact_facts_on();

CREATE FUNCTION haven_dossier_facts_on() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE contacts SET facts_on = NEW.facts_on WHERE dossier_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER dossiers_facts_on AFTER UPDATE OF facts_on ON dossiers
  FOR EACH ROW WHEN (OLD.facts_on IS DISTINCT FROM NEW.facts_on) EXECUTE FUNCTION haven_dossier_facts_on();

CREATE INDEX contacts_work_follow_up ON contacts (programme_id, follow_up_at, id)
  WHERE status = 'open' AND follow_up_at IS NOT NULL;
CREATE INDEX contacts_work_pending ON contacts (programme_id, id)
  WHERE status = 'open' AND follow_up_at IS NULL AND next_due_at IS NULL AND attempt_count > 0;
CREATE INDEX contacts_work_due ON contacts (programme_id, next_due_at, id)
  WHERE status = 'open' AND follow_up_at IS NULL AND next_due_at IS NOT NULL;
CREATE INDEX contacts_work_new ON contacts (programme_id, facts_on NULLS LAST, received_at, id)
  WHERE status = 'open' AND follow_up_at IS NULL AND next_due_at IS NULL AND attempt_count = 0;
