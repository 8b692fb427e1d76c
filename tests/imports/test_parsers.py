"""Reading saved responses and mapping CPSC and openFDA records: pure functions, no database."""

import copy
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from recall.imports.parsers import (
    ImportFileError,
    RecordRejected,
    load_file,
    parse_document,
    parse_record,
    recall_number_of,
)

CPSC_RECORD = {
    "RecallID": 10736,
    "RecallNumber": "26435",
    "RecallDate": "2026-04-23T00:00:00",
    "Title": "32 Degrees Recalls Heated Socks Due to Burn Hazard",
    "Description": "This recall involves heated socks.",
    "URL": "https://www.cpsc.gov/Recalls/2026/32-Degrees",
    "Hazards": [{"Name": "The socks can overheat, posing a burn hazard."}, {"Name": "Second."}],
    "Remedies": [{"Name": "Refund"}],
    "Manufacturers": [{"Name": "32 Degrees"}],
}

OPENFDA_RECORD = {
    "report_date": "20260415",
    "classification": "Class II",
    "product_type": "Food",
    "recalling_firm": "Connecticut Crab Company LLC",
    "state": "CT",
    "reason_for_recall": "May be temperature abused",
    "voluntary_mandated": "Voluntary: Firm initiated",
    "product_description": "Crab Cakes various sizes sold to food service",
    "status": "Ongoing",
}


def with_changes(record: dict, **changes: object) -> dict:
    changed = copy.deepcopy(record)
    for field, value in changes.items():
        if value is ...:
            changed.pop(field, None)
        else:
            changed[field] = value
    return changed


def test_cpsc_record_maps_to_a_notice() -> None:
    notice = parse_record(CPSC_RECORD, "cpsc")
    assert notice.external_key == "cpsc:26435"
    assert notice.product == "32 Degrees Recalls Heated Socks Due to Burn Hazard"
    assert notice.description == "This recall involves heated socks."
    assert notice.hazard_text == "The socks can overheat, posing a burn hazard.\nSecond."
    assert notice.received_at == datetime(2026, 4, 23, tzinfo=UTC)
    assert notice.external == {
        "source": "cpsc",
        "recall_number": "26435",
        "recall_id": 10736,
        "url": "https://www.cpsc.gov/Recalls/2026/32-Degrees",
        "manufacturers": ["32 Degrees"],
        "remedies": ["Refund"],
        "hazards": ["The socks can overheat, posing a burn hazard.", "Second."],
        "hazard_text": notice.hazard_text,
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-04-23", datetime(2026, 4, 23, tzinfo=UTC)),
        ("2026-04-23T10:30:00", datetime(2026, 4, 23, 10, 30, tzinfo=UTC)),
        ("2026-04-23T08:00:00+08:00", datetime(2026, 4, 23, 0, 0, tzinfo=UTC)),
        ("2026-04-23T00:00:00Z", datetime(2026, 4, 23, tzinfo=UTC)),
    ],
)
def test_cpsc_recall_date_becomes_aware_utc(value: str, expected: datetime) -> None:
    received_at = parse_record(with_changes(CPSC_RECORD, RecallDate=value), "cpsc").received_at
    assert received_at == expected
    assert received_at.utcoffset().total_seconds() == 0


def test_cpsc_numeric_recall_number_and_missing_lists() -> None:
    record = with_changes(CPSC_RECORD, RecallNumber=26435, Hazards=..., Remedies=None)
    notice = parse_record(record, "cpsc")
    assert notice.external_key == "cpsc:26435"
    assert notice.hazard_text == ""
    assert notice.external["remedies"] == []


def test_record_without_recall_number_is_keyed_by_its_canonical_content() -> None:
    record = with_changes(CPSC_RECORD, RecallNumber="  ")
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    assert parse_record(record, "cpsc").external_key == f"cpsc:sha256:{digest}"
    reordered = dict(reversed(list(record.items())))
    assert parse_record(reordered, "cpsc").external_key == f"cpsc:sha256:{digest}"


def test_overlong_product_is_cut_to_the_column() -> None:
    notice = parse_record(with_changes(CPSC_RECORD, Title="x" * 600), "cpsc")
    assert notice.product == "x" * 500


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"Title": ...}, "missing Title"),
        ({"Title": "  "}, "missing Title"),
        ({"Title": 12}, "Title is not text"),
        ({"Description": ["x"]}, "Description is not text"),
        ({"RecallDate": ...}, "missing RecallDate"),
        ({"RecallDate": "23/04/2026"}, "unparsable RecallDate '23/04/2026'"),
        ({"RecallDate": 20260423}, "unparsable RecallDate 20260423"),
        ({"Hazards": "loose magnets"}, "Hazards is not a list"),
        ({"RecallNumber": {"n": 1}}, "RecallNumber is neither text nor a number"),
        ({"RecallNumber": "9" * 200}, "recall number longer than 115 chars"),
    ],
)
def test_cpsc_rejections_name_their_reason(changes: dict, reason: str) -> None:
    with pytest.raises(RecordRejected) as raised:
        parse_record(with_changes(CPSC_RECORD, **changes), "cpsc")
    assert str(raised.value) == reason


def test_cpsc_missing_description_is_allowed() -> None:
    assert parse_record(with_changes(CPSC_RECORD, Description=...), "cpsc").description == ""


@pytest.mark.parametrize("record", ["text", 3, None, ["a"], True])
def test_a_record_that_is_not_an_object_is_rejected(record: object) -> None:
    with pytest.raises(RecordRejected, match="^not an object"):
        parse_record(record, "cpsc")
    with pytest.raises(RecordRejected, match="^not an object"):
        parse_record(record, "openfda")


def test_openfda_record_maps_to_a_notice() -> None:
    notice = parse_record(OPENFDA_RECORD, "openfda")
    canonical = json.dumps(OPENFDA_RECORD, sort_keys=True, ensure_ascii=False)
    assert notice.external_key == f"openfda:sha256:{hashlib.sha256(canonical.encode()).hexdigest()}"
    assert notice.product == "Crab Cakes various sizes sold to food service"
    assert notice.description == notice.hazard_text == "May be temperature abused"
    assert notice.received_at == datetime(2026, 4, 15, tzinfo=UTC)
    assert notice.external == {
        "source": "openfda",
        "recall_number": None,
        "recalling_firm": "Connecticut Crab Company LLC",
        "state": "CT",
        "classification": "Class II",
        "product_type": "Food",
        "voluntary_mandated": "Voluntary: Firm initiated",
        "status": "Ongoing",
        "hazard_text": "May be temperature abused",
    }


def test_openfda_record_with_a_recall_number_is_keyed_by_it() -> None:
    record = with_changes(OPENFDA_RECORD, recall_number="F-0123-2026")
    notice = parse_record(record, "openfda")
    assert notice.external_key == "openfda:F-0123-2026"
    assert notice.external["recall_number"] == "F-0123-2026"
    assert recall_number_of(record, "openfda") == "F-0123-2026"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"product_description": ...}, "missing product_description"),
        ({"product_description": ""}, "missing product_description"),
        ({"report_date": ...}, "missing report_date"),
        ({"report_date": "2026-04-15"}, "unparsable report_date '2026-04-15', expected YYYYMMDD"),
        ({"report_date": "20261341"}, "unparsable report_date '20261341', expected YYYYMMDD"),
        ({"report_date": "2026415"}, "unparsable report_date '2026415', expected YYYYMMDD"),
        ({"report_date": 20260415}, "unparsable report_date 20260415, expected YYYYMMDD"),
    ],
)
def test_openfda_rejections_name_their_reason(changes: dict, reason: str) -> None:
    with pytest.raises(RecordRejected) as raised:
        parse_record(with_changes(OPENFDA_RECORD, **changes), "openfda")
    assert str(raised.value) == reason


def test_recall_number_of_never_raises() -> None:
    assert recall_number_of(CPSC_RECORD, "cpsc") == "26435"
    assert recall_number_of({"RecallNumber": 7}, "cpsc") == "7"
    assert recall_number_of({"RecallNumber": ["x"]}, "cpsc") is None
    assert recall_number_of("text", "cpsc") is None
    assert recall_number_of(OPENFDA_RECORD, "openfda") is None


def test_every_real_record_parses_and_keys_are_as_the_readme_says(
    cpsc_file: Path, openfda_file: Path
) -> None:
    cpsc = [parse_record(r, "cpsc") for r in load_file(cpsc_file, "cpsc")]
    openfda = [parse_record(r, "openfda") for r in load_file(openfda_file, "openfda")]
    assert len(cpsc) == 289
    assert len({n.external_key for n in cpsc}) == 289
    assert all(n.external_key.startswith("cpsc:2") for n in cpsc)
    assert len(openfda) == 562
    assert len({n.external_key for n in openfda}) == 560  # two records appear twice
    assert all(n.external_key.startswith("openfda:sha256:") for n in openfda)


# Files as a whole


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no such file"):
        load_file(tmp_path / "absent.json", "cpsc")


def test_directory_instead_of_a_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="is a directory"):
        load_file(tmp_path, "openfda")


@pytest.mark.parametrize(
    ("content", "source", "message"),
    [
        (b"{not json", "cpsc", "not valid JSON"),
        (b"", "openfda", "not valid JSON"),
        (b"[NaN]", "cpsc", "not valid JSON"),
        (b"\xff\xfe[]", "cpsc", "not UTF-8 text"),
        (b'{"results": []}', "cpsc", "expected a JSON array of CPSC recalls, found an object"),
        (b"[]", "openfda", "expected an openFDA response .* found an array; .*recall import cpsc"),
        (b'{"results": {}}', "openfda", 'found an object without a "results" array'),
        (b'"text"', "cpsc", "found a string"),
    ],
)
def test_malformed_files(tmp_path: Path, content: bytes, source: str, message: str) -> None:
    path = tmp_path / "capture.json"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message) as raised:
        load_file(path, source)
    assert "\n" not in raised.value.message
    assert str(path) in raised.value.message


def test_byte_order_mark_and_text_input_are_accepted() -> None:
    assert parse_document("\ufeff[1]".encode(), "cpsc") == [1]
    assert parse_document('{"meta": {}, "results": [2]}', "openfda") == [2]
