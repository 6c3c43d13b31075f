"""What an import did: counts for the summary line, and every bad row with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RowProblem:
    row: int  # the spreadsheet's row number
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


@dataclass
class ImportReport:
    kind: str  # "officers" or "products"
    dry_run: bool = False
    rows: int = 0  # data rows read
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # already there as in the file (a second import of a file)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.rows} rows read: {self.created} {self.kind} {verb} added, "
            f"{self.updated} updated, {self.unchanged} already up to date, "
            f"{len(self.problems)} rows not imported."
        )
