"""docs/api.md « Who sees what » is the policy table, generated (``livret policy doc --write``)."""
from pathlib import Path

from core.policy.docs import current_block, who_sees_what

API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_the_documented_policy_is_the_policy_table(app):
    with app.app_context():
        expected = who_sees_what()
    assert current_block(API_MD.read_text(encoding="utf-8")) == expected, (
        "docs/api.md is out of date: run `livret policy doc --write`")


def test_the_command_prints_the_table(app):
    result = app.test_cli_runner().invoke(args=["policy", "doc"])
    assert result.exit_code == 0, result.output
    assert "| `dossier.review`" in result.output and "`review_api.decision`" in result.output
