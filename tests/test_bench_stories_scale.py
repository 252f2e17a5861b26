"""The stories benchmark, at a tiny size, so it cannot rot: its news has events told in
different words by several outlets, spread over days, and it measures what it says."""

from collections import Counter

from bench import stories_scale
from bench.stories_scale import Newsroom, event_of


def test_the_news_is_events_in_other_words_at_a_constant_rate():
    newsroom = Newsroom(per_day=60)
    days = [newsroom.next_day() for _ in range(4)]

    assert [len(day) for day in days] == [60, 60, 60, 60]
    articles = [a for day in days for a in day]
    events = Counter(event_of(a) for a in articles)
    assert sum(n > 1 for n in events.values()) > len(events) / 2
    assert len({a.text for a in articles}) > 0.85 * len(articles)  # other words, a few wire copies
    assert any(len({a.published_at.date() for a in articles if event_of(a) == e}) > 1 for e in events)
    assert all(a.mentions and all(a.text[m.start_char : m.end_char] == m.surface for m in a.mentions) for a in articles)
    again = Newsroom(per_day=60)
    assert [a.text for a in again.next_day()] == [a.text for a in days[0]]


def test_the_benchmark_runs_at_a_tiny_size(tmp_path, capsys):
    results = stories_scale.main(
        [
            "--stored",
            "120",
            "240",
            "--new",
            "30",
            "--batches",
            "2",
            "--per-day",
            "12",
            "--fill",
            "stage",
            "--dense",
            "--workdir",
            str(tmp_path),
        ]
    )

    assert [(m.label, m.stored) for m in results] == [("spread", 120), ("spread", 240), ("all in window", 240)]
    assert all(len(m.seconds) == 2 and m.peak_mb > 0 for m in results)
    assert results[1].days[1] > results[0].days[1]
    assert results[2].days[0] > results[1].days[0]  # folded into the window
    out = capsys.readouterr().out
    assert "s per 1,000 new" in out and "story_candidates" in out
