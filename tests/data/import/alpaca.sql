-- Alpaca's database (com.jeffser.Alpaca, ~/.local/share/com.jeffser.Alpaca/alpaca.db) in the
-- shape src/sql_manager.py creates, written by hand: the test builds the .db from this file.
-- Times are local, "%Y/%m/%d %H:%M:%S" (older versions wrote "%Y/%m/%d %H:%M").
CREATE TABLE chat (id TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL, folder TEXT, is_template INTEGER NOT NULL DEFAULT 0);
CREATE TABLE message (id TEXT NOT NULL PRIMARY KEY, chat_id TEXT NOT NULL, role TEXT NOT NULL, model TEXT, date_time DATETIME NOT NULL, content TEXT NOT NULL);
CREATE TABLE attachment (id TEXT NOT NULL PRIMARY KEY, message_id TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL, content TEXT NOT NULL);
CREATE TABLE model_preferences (id TEXT NOT NULL PRIMARY KEY, picture TEXT, voice TEXT, character TEXT);
CREATE TABLE instance (id TEXT NOT NULL PRIMARY KEY, pinned INTEGER NOT NULL, type TEXT NOT NULL, properties TEXT NOT NULL);
CREATE TABLE chat_folder (id TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL, color TEXT, parent TEXT);

INSERT INTO instance VALUES ('20250101090000000000aa', 1, 'ollama:managed', '{"name": "Alpaca"}');

INSERT INTO chat VALUES ('20250301100000000000c1', 'Sourdough starter', NULL, 0);
INSERT INTO chat VALUES ('20250302110000000000c2', 'Photo of a bird', NULL, 0);

-- Inserted out of order: the conversation is in date order. The user messages have no model
-- (Alpaca writes ""; an older row has NULL).
INSERT INTO message VALUES ('20250301100205000000m3', '20250301100000000000c1', 'user', '', '2025/03/01 10:02:05', 'And how often do I feed it?');
INSERT INTO message VALUES ('20250301100001000000m1', '20250301100000000000c1', 'user', NULL, '2025/03/01 10:00:01', 'How do I start a sourdough starter?');
INSERT INTO message VALUES ('20250301100030000000m2', '20250301100000000000c1', 'assistant', 'llama3.2:3b', '2025/03/01 10:00:30', 'Mix equal weights of flour and water.');
INSERT INTO message VALUES ('20250301100240000000m4', '20250301100000000000c1', 'assistant', 'qwen3:8b', '2025/03/01 10:02:40', 'Once a day at room temperature.');

-- An older row: minutes only.
INSERT INTO message VALUES ('20250302110000000000m5', '20250302110000000000c2', 'user', '', '2025/03/02 11:00', 'What bird is this?');
INSERT INTO message VALUES ('20250302110015000000m6', '20250302110000000000c2', 'assistant', 'gemma3:4b', '2025/03/02 11:00:15', 'A European robin.');

INSERT INTO attachment VALUES ('20250302110000000000a1', '20250302110000000000m5', 'image', 'robin.jpg', 'iVBORw0KGgo=');
