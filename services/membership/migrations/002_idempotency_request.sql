-- An idempotency key is bound to the request it first came with: the same key with another
-- request is refused instead of silently answering with the first resource.
ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
