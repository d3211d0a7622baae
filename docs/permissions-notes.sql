-- docs/permissions-notes.sql — the model, rows and grants the sessions of
-- docs/permissions.md read: each session starts with
-- `\i docs/permissions-notes.sql` (psql runs from the repository root).
-- Prints nothing.
SELECT count(*) AS migrated FROM viper.migrate('[
  {"app": "notes", "name": "Note", "fields": [
    {"name": "owner_id", "type": "IntegerField", "null": true},
    {"name": "body", "type": "CharField", "max_length": 80},
    {"name": "public", "type": "BooleanField", "default": false}]}]') \gset
-- the superuser writes the rows with plain SQL (superusers are not
-- subject to row-level security)
INSERT INTO notes_note (id, owner_id, body, public) VALUES
  (1, 1, 'ann: groceries', false), (2, 1, 'ann: recipe', true),
  (3, 2, 'bob: passwords', false), (4, 2, 'bob: holidays', true);
SELECT setval('notes_note_id_seq', 4) \gset
