-- Files sent with an email (PDF for now): kept with the message, written in
-- its transaction, so that every try of the message sends the same bytes.
-- seq is the order in the email (1, 2 ...). size is the number of bytes of
-- data, so that a listing need not read them.
CREATE TABLE message_attachments (
  id           INTEGER PRIMARY KEY,
  message_id   INTEGER NOT NULL REFERENCES messages(id),
  seq          INTEGER NOT NULL,
  name         TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         INTEGER NOT NULL,
  data         BLOB NOT NULL,
  UNIQUE (message_id, seq)
);
