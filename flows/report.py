"""A run's report as markdown: what came in, what became of it, where the time went.
Prefect keeps it as the flow run's artifact."""

from __future__ import annotations

from warehouse.lookups import TopEntity


def run_report(summary: dict, languages: dict[str, int], stages: dict[str, list], top_entities: list[TopEntity]) -> str:
    loaded = summary["documents"] - summary["unchanged"]
    articles = summary["articles"]
    lines = [
        f"# newsmill ingest {summary['run_id']}",
        "",
        f"**{summary['documents']:,} documents in**: {loaded:,} new or changed, {summary['unchanged']:,} unchanged; "
        f"{summary['seconds']:.1f} s ({loaded / summary['seconds']:.1f} documents/s)."
        if summary["seconds"]
        else "",
        "",
        "| outcome | count |",
        "| --- | ---: |",
        f"| articles | {articles:,} |",
        f"| duplicates (copies of another article) | {summary['duplicates']:,} "
        f"({summary['duplicates'] / articles:.1%}) |"
        if articles
        else "| duplicates | 0 |",
        f"| rejects | {summary['rejects']:,} |",
        *(f"| rejects: `{reason}` | {n:,} |" for reason, n in summary["rejects_by_reason"].items()),
        f"| records retired (no longer in their file) | {summary['retired']:,} |",
        f"| mentions of named entities | {summary['mentions']:,} |",
        f"| stories its articles are in | {summary['stories']:,} |",
        f"| stories merged into older ones | {summary['merged_stories']:,} |",
        "",
    ]
    if languages:
        lines += [
            "## Languages",
            "",
            "| language | articles |",
            "| --- | ---: |",
            *(f"| {language} | {n:,} |" for language, n in sorted(languages.items(), key=lambda kv: -kv[1])),
            "",
        ]
    if summary["untagged"]:
        lines += [
            "No NER model for: "
            + ", ".join(f"{language} ({n})" for language, n in summary["untagged"].items())
            + ". Their entities are not tagged.",
            "",
        ]
    if top_entities:
        lines += [
            "## Top entities",
            "",
            "| entity | label | mentions | articles |",
            "| --- | --- | ---: | ---: |",
            *(f"| {name} | {label} | {mentions:,} | {n:,} |" for name, label, mentions, n in top_entities),
            "",
        ]
    if stages:
        lines += [
            "## Time per stage",
            "",
            "| stage | items | seconds | items/s |",
            "| --- | ---: | ---: | ---: |",
            *(
                f"| {stage} | {items:,} | {seconds:.2f} | {items / seconds if seconds else 0:,.0f} |"
                for stage, (items, seconds) in stages.items()
            ),
            "",
        ]
    return "\n".join(lines)
