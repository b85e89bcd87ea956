-- migrationlint: ignore drop-column -- the app stopped reading legacy_flag in release 2026.10
ALTER TABLE `users` DROP COLUMN `legacy_flag`;
ALTER TABLE `users` DROP COLUMN `signup_ip`;
