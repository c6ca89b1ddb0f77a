-- A Confab database as schema version 1 wrote it (Confab before raw responses and title
-- search). test-store opens it to prove the 1 → 2 migration keeps every row.
CREATE TABLE conversations (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL DEFAULT '',
  system_prompt TEXT,
  provider_name TEXT,
  base_url TEXT,
  model TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE INDEX conversations_by_update ON conversations (updated_at);
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  role TEXT NOT NULL,
  content TEXT NOT NULL DEFAULT '',
  reasoning TEXT NOT NULL DEFAULT '',
  tool_call_id TEXT,
  finish_reason TEXT,
  state TEXT NOT NULL,
  error_domain TEXT,
  error_code INTEGER,
  error_message TEXT,
  retry_after INTEGER NOT NULL DEFAULT -1,
  model TEXT,
  created_at INTEGER NOT NULL,
  request_body TEXT);
CREATE INDEX messages_by_conversation ON messages (conversation_id, position);
CREATE TABLE tool_calls (
  message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  call_id TEXT,
  name TEXT,
  server TEXT,
  arguments TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  result TEXT,
  result_content TEXT,
  error TEXT,
  status_times TEXT,
  PRIMARY KEY (message_id, idx));
CREATE TABLE usage (
  message_id TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  reported INTEGER NOT NULL,
  prompt_tokens INTEGER,
  completion_tokens INTEGER,
  total_tokens INTEGER,
  cached_tokens INTEGER,
  reasoning_tokens INTEGER,
  has_cost INTEGER NOT NULL,
  cost REAL,
  time_to_first_token REAL,
  duration REAL);
CREATE VIRTUAL TABLE messages_fts USING fts5 (content, content='messages', content_rowid='seq');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, content) VALUES (new.seq, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.seq, old.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages
  WHEN old.content IS NOT new.content BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.seq, old.content);
  INSERT INTO messages_fts (rowid, content) VALUES (new.seq, new.content);
END;

INSERT INTO conversations (id, title, system_prompt, provider_name, base_url, model, created_at, updated_at)
  VALUES ('v1-conversation', 'Weather in Florence', 'Be brief.', 'Groq',
          'https://api.groq.com/openai/v1', 'llama-3.3-70b-versatile', 1700000000000000, 1700000100000000);
INSERT INTO messages (id, conversation_id, position, role, content, state, created_at)
  VALUES ('v1-m0', 'v1-conversation', 0, 'user', 'What is the weather in Florence?', 'complete', 1700000000000000);
INSERT INTO messages (id, conversation_id, position, role, content, finish_reason, state, model, created_at, request_body)
  VALUES ('v1-m1', 'v1-conversation', 1, 'assistant', '', 'tool_calls', 'complete',
          'llama-3.3-70b-versatile', 1700000001000000, '{"model":"llama-3.3-70b-versatile"}');
INSERT INTO tool_calls (message_id, idx, call_id, name, server, arguments, status, result, status_times)
  VALUES ('v1-m1', 0, 'call_1', 'get_weather', 'weather', '{"location": "Florence,Italy"}', 'done',
          'Sunny, 24 °C', '[0,0,1700000002000000,1700000003500000,0,0]');
INSERT INTO usage (message_id, reported, prompt_tokens, completion_tokens, total_tokens, cached_tokens,
                   reasoning_tokens, has_cost, cost, time_to_first_token, duration)
  VALUES ('v1-m1', 1, 120, 20, 140, -1, -1, 0, -1, 0.25, 1.5);
INSERT INTO messages (id, conversation_id, position, role, content, tool_call_id, state, created_at)
  VALUES ('v1-m2', 'v1-conversation', 2, 'tool', 'Sunny, 24 °C', 'call_1', 'complete', 1700000003500000);
INSERT INTO messages (id, conversation_id, position, role, content, state, created_at)
  VALUES ('v1-m3', 'v1-conversation', 3, 'assistant', 'It is sunny and warm', 'streaming', 1700000004000000);
PRAGMA user_version = 1;
