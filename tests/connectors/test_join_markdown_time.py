"""JOIN's description is Markdown, rendered in the event loop: an answer within the body cap
must not hold the service for seconds (markdown-it takes ~10-15 us per '[' - a 5 MiB answer of
them is over a minute, and no request timeout can cut a computation). So the renderer is never
given more than `MAX_MARKDOWN` characters, whatever JOIN answers."""

from __future__ import annotations

import pytest
from embloy_ats_join import JoinConnector, job

from tests.connectors.test_join import SETTINGS, answering, job_answer


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the renderer is given, each call (it still renders it)."""
    given: list[str] = []
    render = job._MARKDOWN.render

    def spy(text: str, env: object = None) -> str:
        given.append(text)
        return str(render(text))

    monkeypatch.setattr(job._MARKDOWN, "render", spy)
    return given


async def test_a_hostile_description_is_not_rendered_whole(rendered: list[str]) -> None:
    body = job_answer(description="[" * 80_000)  # 80 KB, under 2% of the 5 MiB body cap
    connector = JoinConnector(SETTINGS, http=answering(body, {}).client())
    found = await connector.fetch_job("7")
    assert [len(text) for text in rendered] == [job.MAX_MARKDOWN]
    assert found is not None
    assert found.description_html is not None
    assert found.description_html.rstrip().endswith("<p>…</p>")


def test_the_bound_is_well_above_a_real_description() -> None:
    # a recorded description is 2.7 KB; the cut is meant for what no job ad reaches
    assert job.MAX_MARKDOWN >= 10 * 2_715


def test_a_description_within_the_bound_is_rendered_whole(rendered: list[str]) -> None:
    text = "## Role\n\n" + "word " * ((job.MAX_MARKDOWN - 9) // 5)
    assert len(text) <= job.MAX_MARKDOWN
    job.description_html(text)
    assert rendered == [text]


def test_a_long_description_is_cut_at_a_paragraph_break(rendered: list[str]) -> None:
    paragraph = " ".join(["Lorem ipsum dolor sit amet."] * 30) + "\n\n"
    text = paragraph * (2 * job.MAX_MARKDOWN // len(paragraph))
    job.description_html(text)
    [given] = rendered
    assert len(given) <= job.MAX_MARKDOWN
    assert given.endswith(job.CUT_MARK)
    kept = given.removesuffix(job.CUT_MARK)
    assert text.startswith(kept + "\n\n")
    assert len(kept) >= job.MAX_MARKDOWN // 2


def test_a_cut_without_breaks_is_still_within_the_bound() -> None:
    for text in ("[" * 100_000, "a " * 100_000, "x\n" * 100_000):
        cut = job.cut_markdown(text)
        assert len(cut) <= job.MAX_MARKDOWN
        assert text.startswith(cut.removesuffix(job.CUT_MARK))
