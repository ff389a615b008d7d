-- Delivery feedback (issue 5): the unit price of a message part per
-- channel, in minor units of its currency (the cost report multiplies the
-- parts handed to the gateway by it), and an index to find a number's last
-- SMS (the contact-data report).
CREATE TABLE message_prices (
  channel    TEXT PRIMARY KEY,
  currency   TEXT NOT NULL,
  per_part   BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
INSERT INTO message_prices (channel, currency, per_part, updated_at) VALUES
  ('sms', 'RUB', 250, 0),
  ('email', 'RUB', 0, 0);
CREATE INDEX messages_recipient ON messages(channel, recipient, id);
