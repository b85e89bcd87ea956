"""PostgreSQL behaviour fixed after the QA pass (one section per finding)."""

import pytest

from tests.helpers import TIMEOUT_NOTES, codes


# -- ML204: a foreign key on a newly added column -------------------------------------
@pytest.mark.parametrize("sql, flagged", [
    # NULL on every existing row: PostgreSQL marks the constraint valid without a scan.
    ("ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id);", False),
    ("ALTER TABLE orders ADD COLUMN coupon_id bigint DEFAULT 0 REFERENCES coupons (id);", True),
    ("ALTER TABLE orders ADD COLUMN coupon_id bigserial REFERENCES coupons (id);", True),
    # Any default, or a table-level foreign key in the same statement, turns the skip off.
    ("ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id), "
     "ADD COLUMN n int DEFAULT 1;", True),
    ("ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id), "
     "ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES c (id) NOT VALID;", True),
])
def test_inline_references_validated_only_when_postgres_cannot_skip(sql, flagged):
    assert ("ML204" in codes(sql, ignore=TIMEOUT_NOTES)) is flagged
