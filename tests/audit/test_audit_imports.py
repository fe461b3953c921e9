"""The audit chain does not import the sealing service (no import circle audit → sealing → organisations → audit)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_importing_the_audit_chain_does_not_import_sealing_or_organisations():
    loaded = _modules_after("import core.audit, core.audit.services, core.audit.models")
    assert "core.audit.services" in loaded
    assert not {m for m in loaded if m.startswith(("core.sealing", "core.organisations"))}


def test_audit_services_mention_no_sealing_import():
    """Not even a lazy import inside a function: the timestamper and the trust roots are passed in."""
    source = (ROOT / "core" / "audit" / "services.py").read_text(encoding="utf-8")
    assert "import" not in "".join(line for line in source.splitlines() if "core.sealing" in line)
