-- Looks harmless, but the running application still queries "email".
ALTER TABLE users RENAME COLUMN email TO email_address;
