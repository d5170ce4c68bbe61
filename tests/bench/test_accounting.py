"""The arithmetic behind the bench's figures: DynamoDB item sizes and units, Comprehend units, the
cost model, percentiles."""

from __future__ import annotations

import math

import pytest

from sfasync.bench import accounting, cost, prices, runner


def test_item_size_counts_names_and_values_as_dynamodb_does() -> None:
    item = {
        "pk": {"S": "abc"},  # 2 + 3
        "v": {"N": "123"},  # 1 + (2 bytes for 3 digits + 1)
        "d": {"B": b"\x00" * 10},  # 1 + 10
        "ok": {"BOOL": True},  # 2 + 1
    }
    assert accounting.item_size(item) == 5 + 4 + 11 + 3
    # A list: 3 bytes + each element and 1 byte per element; a map also counts its keys.
    listed = {"l": {"L": [{"S": "ab"}, {"N": "7"}]}}
    assert accounting.item_size(listed) == 1 + 3 + (2 + 1) + (2 + 1)
    mapped = {"m": {"M": {"Positive": {"N": "0.5"}}}}
    assert accounting.item_size(mapped) == 1 + 3 + (8 + 2 + 1)


@pytest.mark.parametrize(
    ("number", "size"), [("0", 2), ("5", 2), ("12", 2), ("123", 3), ("0.1234", 3), ("-1e10", 2)]
)
def test_number_size(number: str, size: int) -> None:
    assert accounting.number_size(number) == size


def test_units_round_up_per_item_and_request() -> None:
    big = {"pk": {"S": "k"}, "d": {"B": b"x" * 5000}}
    put = accounting.dynamodb_cost("PutItem", {"Item": big}, {}, ok=True)
    assert put.write_units == math.ceil(accounting.item_size(big) / 1024) == 5
    assert put.bytes_written == accounting.item_size(big)
    # A failed condition still consumes the write; nothing is stored.
    refused = accounting.dynamodb_cost("PutItem", {"Item": big}, {}, ok=False)
    assert (refused.write_units, refused.bytes_written) == (5, 0)
    small = {"pk": {"S": "k"}}
    query = accounting.dynamodb_cost("Query", {"ConsistentRead": True}, {"Items": [big, small]}, ok=True)
    assert query.read_units == 2  # 5,007 + 2 bytes in one request: ceil(/4 KB)
    empty = accounting.dynamodb_cost("GetItem", {"ConsistentRead": True}, {}, ok=True)
    assert empty.read_units == 1  # a miss costs the minimum
    assert accounting.dynamodb_cost("GetItem", {}, {"Item": small}, ok=True).read_units == 0.5
    deleted = accounting.dynamodb_cost("DeleteItem", {}, {"Attributes": big}, ok=True)
    assert deleted.write_units == 5
    assert accounting.dynamodb_cost("DeleteItem", {}, {}, ok=True).write_units == 1


def test_comprehend_bills_100_character_units_with_a_minimum_of_three() -> None:
    assert accounting.comprehend_units("short") == 3
    assert accounting.comprehend_units("x" * 301) == 4
    assert accounting.comprehend_units("x" * 1024) == 11


def test_cost_per_million_rows_from_the_price_table() -> None:
    usage = cost.BatchUsage(
        backend="dynamodb",
        impl="sfasync",
        storage_requests={"PutItem": 4, "Query": 2},
        bytes_written=0,
        bytes_read=0,
        write_units=4,
        read_units=2,
        api_requests=2,
        lambda_invocations=3,
        lambda_seconds=0.3,
        comprehend_units=120,
    )
    split = cost.per_million_rows(usage, rows_per_batch=1000)
    p = {name: entry["usd"] for name, entry in prices.PRICES.items()}
    memory_gb = prices.ASSUMPTIONS["lambda_memory_mb"] / 1024
    assert split["storage"] == pytest.approx(
        1000 * (4 * p["dynamodb_write_request_unit"] + 2 * p["dynamodb_read_request_unit"]), rel=1e-3
    )
    assert split["requests"] == pytest.approx(
        1000
        * (
            2 * p["api_gateway_rest_request"]
            + 3 * p["lambda_request"]
            + 0.3 * memory_gb * p["lambda_gb_second"]
        ),
        rel=1e-3,
    )
    assert split["comprehend"] == pytest.approx(1000 * 120 * p["comprehend_unit"])
    assert split["total"] == pytest.approx(
        split["storage"] + split["requests"] + split["comprehend"], rel=1e-6
    )


def test_s3_deletes_are_free_and_puts_cost_more_than_gets() -> None:
    def s3(requests: dict[str, float]) -> float:
        return cost.storage_cost(cost.BatchUsage("s3", "sfasync", requests, 0, 0, 0, 0, 0, 0, 0, 0))

    assert s3({"DeleteObject": 10}) == 0
    assert s3({"PutObject": 1}) > s3({"GetObject": 1}) > 0


def test_every_price_is_dated_and_sourced() -> None:
    table = prices.table()
    assert table["date"] and table["region"] == "us-east-1"
    for entry in [*table["prices"].values(), *table["latency_model_aws"].values()]:
        assert entry["source"]


def test_percentiles_are_nearest_rank_in_milliseconds() -> None:
    values = [i / 1000 for i in range(1, 101)]  # 1 ms .. 100 ms
    assert runner.percentiles(values) == {"p50": 50.0, "p95": 95.0, "p99": 99.0}
    assert runner.percentiles([]) == {"p50": None, "p95": None, "p99": None}


def test_rows_have_the_requested_size_and_differ() -> None:
    rows = runner.make_rows(50, 1024, seed=1)
    assert all(len(row[0].encode()) == 1024 for row in rows)
    assert len({row[0] for row in rows}) == 50


def test_the_latency_model_draws_around_the_published_median_and_p99() -> None:
    model = accounting.LatencyModel(seed=11)
    draws = sorted(model.draw("s3") * 1000 for _ in range(4000))
    figure = prices.LATENCIES["s3"]
    assert abs(draws[len(draws) // 2] - figure["p50_ms"]) < 0.1 * figure["p50_ms"]
    assert abs(draws[int(len(draws) * 0.99)] - figure["p99_ms"]) < 0.25 * figure["p99_ms"]
    assert min(draws) > 0
