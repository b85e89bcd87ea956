ALTER TABLE orders ADD COLUMN status text NOT NULL;
CREATE INDEX orders_status_idx ON orders (status);
