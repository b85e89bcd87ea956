-- Widen the order total before it overflows INT.
SET SESSION lock_wait_timeout = 10;
ALTER TABLE `orders` MODIFY `total` BIGINT NOT NULL;
