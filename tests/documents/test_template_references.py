"""The one reader of a template's references, shared by the diagram, the change-set preview and
the tests' ordering of resources for moto."""

from __future__ import annotations

from generator.template_view.references import referenced_names


def test_ref_getatt_in_both_forms_and_conditions_are_references() -> None:
    fragment = {
        "Condition": "IsProd",
        "Properties": {
            "Role": {"Fn::GetAtt": ["ProcessorRole", "Arn"]},
            "Queue": {"Fn::GetAtt": "DeadLetterQueue.Arn"},
            "Table": {"Ref": "OrdersTable"},
            "Concurrency": {"Fn::If": ["Reserves", {"Ref": "Reserved"}, {"Ref": "AWS::NoValue"}]},
        },
    }
    assert sorted(referenced_names(fragment)) == sorted(
        [
            "IsProd",
            "ProcessorRole",
            "DeadLetterQueue",
            "OrdersTable",
            "Reserves",
            "Reserved",
            "AWS::NoValue",
        ]
    )


def test_sub_names_its_placeholders_but_not_its_own_variables_or_escapes() -> None:
    fragment = {
        "Fn::Sub": [
            "arn:${AWS::Partition}:logs:${Group.Arn}:${Local}:${!Literal}",
            {"Local": {"Ref": "Stage"}},
        ]
    }
    assert sorted(referenced_names(fragment)) == ["AWS::Partition", "Group", "Stage"]
    assert list(referenced_names({"Fn::Sub": "${Api}/${!Escaped}"})) == ["Api"]


def test_a_fragment_without_intrinsics_refers_to_nothing() -> None:
    assert list(referenced_names({"Properties": {"Ref": 3, "Name": ["Ref", "x"]}})) == []
