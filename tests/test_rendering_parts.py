"""ctg.rendering: a big document marked with PART_BREAK is rendered in parts on forked processes and gives
the same PDF as one render: the same pages with the same text, « Page N / M » footers included, the same
outline (levels nested across the parts, the same pages and places, closed entries), title, author and
language; a part that fails, or never answers, fails the render with its error; a small document, or any
document on one core or in a process with other threads (no fork there), is one render."""

import io
import os
import threading

import pypdf
import pytest

from ctg import rendering

CSS = """
@page { size: A4; margin: 18mm;
  @bottom-right { content: "Page " counter(page) " / " counter(pages); font-size: 8pt; }
  @bottom-left { content: "CTG — Essai"; font-size: 8pt; } }
@page :first { @bottom-left { content: none; } }
.annex { page-break-before: always; }
h3 { bookmark-state: closed; }
"""


def _rows(prefix: str, count: int) -> str:
    return "".join(
        f"<tr><td>{prefix}.{i}</td><td>Ligne {i} de {prefix} &amp; suite</td></tr>" for i in range(count)
    )


def sample(parts: int = 3) -> str:
    """A document of a cover, then `parts` annexes (each a new page, the last ones long tables)."""
    annexes = "".join(
        f"{rendering.PART_BREAK}<section class='annex'><h2>Annexe {n}</h2><h3>Partie {n}.1</h3>"
        f"<h4>Détail {n}</h4><table><tbody>{_rows(f'PARTIE-{n}', 40 * n)}</tbody></table></section>"
        for n in range(1, parts + 1)
    )
    return (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Convention « essai »</title>"
        f"<meta name='author' content='CAF du Tarn'><style>{CSS}</style></head>"
        "<body><h1>Convention territoriale globale</h1><p>Préambule.</p>"
        f"<h2>Article 1</h2><p>Objet.</p>{annexes}</body></html>"
    )


def _outline(reader, items=None, depth=0):
    found = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found += _outline(reader, item, depth + 1)
        else:
            closed = (item.outline_count or 0) < 0  # a bookmark-state: closed entry
            page = reader.get_destination_page_number(item)
            found.append((depth, item.title, page, round(float(item.top)), closed))
    return found


def _described(pdf: bytes) -> dict:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return {
        "pages": [page.extract_text() for page in reader.pages],
        "outline": _outline(reader),
        "title": reader.metadata.title,
        "author": reader.metadata.author,
        "lang": reader.trailer["/Root"].get("/Lang"),
    }


def _whole(html: str) -> bytes:
    with rendering.fewer_collections():
        return rendering.html_document(html).write_pdf()


@pytest.fixture
def parts_always(monkeypatch):
    monkeypatch.setattr(rendering, "PARTS_MIN_CHARS", 0)


def record_processes(monkeypatch, folder):
    """From now on, every process that renders runs of a document writes a file in `folder` (a forked one
    included); returns a function giving the ids of those processes."""
    render_runs = rendering._render_runs

    def recording(htmls, *args):
        if htmls:
            (folder / f"part-{os.getpid()}-{len(list(folder.iterdir()))}").write_text("")
        return render_runs(htmls, *args)

    monkeypatch.setattr(rendering, "_render_runs", recording)
    return lambda: {int(path.name.split("-")[1]) for path in folder.iterdir()}


def whole_and_in_parts(monkeypatch, render) -> tuple[dict, dict, list]:
    """The PDF of `render()` described once rendered in one piece, once in parts on two processes (forked),
    and the runs that document was cut into (`rendering._split`'s result)."""
    monkeypatch.setattr(rendering, "PARTS_MIN_CHARS", 10**9)
    whole = _described(render())
    monkeypatch.setattr(rendering, "PARTS_MIN_CHARS", 0)
    monkeypatch.setattr(rendering, "_can_fork", lambda: True)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    cuts, split = [], rendering._split

    def spied(html, workers):
        cuts.append(split(html, workers))
        return cuts[-1]

    monkeypatch.setattr(rendering, "_split", spied)
    in_parts = _described(render())
    assert len(cuts) == 1, "not rendered in parts"
    return whole, in_parts, cuts[0][2]


@pytest.fixture
def pids(monkeypatch, tmp_path):
    """The processes that rendered a part (a file per part, written by the process itself)."""
    return record_processes(monkeypatch, tmp_path)


def test_a_document_in_parts_on_several_processes_is_the_same_as_in_one(parts_always, pids, monkeypatch):
    monkeypatch.setattr(rendering, "_can_fork", lambda: True)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    html = sample()
    expected = _described(_whole(html))
    count = len(expected["pages"])
    assert count >= 4 and expected["pages"][-1].endswith(f"Page {count} / {count}")
    assert _described(rendering.html_to_pdf(html)) == expected
    assert len(pids()) == 2 and os.getpid() in pids(), "the second part was not rendered by another process"


@pytest.mark.parametrize("cores, threads", [(1, False), (2, True)])
def test_without_a_second_core_or_beside_threads_a_big_document_is_one_render(monkeypatch, cores, threads):
    monkeypatch.setattr(rendering, "PARTS_MIN_CHARS", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setattr(threading, "active_count", lambda: 2 if threads else 1)
    monkeypatch.setattr(rendering, "_pdf_in_parts", lambda html: pytest.fail("rendered in parts"))
    html = sample()
    assert _described(rendering.html_to_pdf(html)) == _described(_whole(html))


def test_the_outline_keeps_its_levels_across_the_parts(parts_always, monkeypatch):
    monkeypatch.setattr(rendering, "_can_fork", lambda: True)
    described = _described(rendering.html_to_pdf(sample()))
    levels = [(depth, title) for depth, title, _page, _top, _closed in described["outline"]]
    assert levels[:4] == [(0, "Convention territoriale globale"), (1, "Article 1"), (1, "Annexe 1"),
                          (2, "Partie 1.1")]  # fmt: skip
    assert (1, "Annexe 3") in levels and (3, "Détail 3") in levels
    pages = {title: page for _depth, title, page, _top, _closed in described["outline"]}
    closed = {title for _depth, title, _page, _top, closed in described["outline"] if closed}
    assert closed == {"Partie 1.1", "Partie 2.1", "Partie 3.1"}  # closed over the h4 below each
    assert (
        pages["Annexe 1"] == 1
        and pages["Annexe 2"] > pages["Annexe 1"]
        and pages["Annexe 3"] > pages["Annexe 2"]
    )


def test_no_process_is_forked_beside_other_threads(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert rendering._can_fork() == (threading.active_count() == 1)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not rendering._can_fork()
    finally:
        stop.set()
        thread.join()
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not rendering._can_fork()


def test_a_part_that_fails_fails_the_render_with_its_error(parts_always, monkeypatch):
    monkeypatch.setattr(rendering, "_can_fork", lambda: True)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    render_runs = rendering._render_runs
    parent = os.getpid()

    def failing(htmls, *args):
        if os.getpid() != parent:  # the other worker's parts, in the forked process
            raise ValueError("police introuvable")
        return render_runs(htmls, *args)

    monkeypatch.setattr(rendering, "_render_runs", failing)
    with pytest.raises(
        RuntimeError, match="Rendu PDF d'une partie du document : ValueError: police introuvable"
    ):
        rendering.html_to_pdf(sample())


def test_a_part_that_never_answers_fails_the_render(parts_always, monkeypatch):
    monkeypatch.setattr(rendering, "_can_fork", lambda: True)
    monkeypatch.setattr(rendering, "PART_TIMEOUT_SECONDS", 0.5)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    render_runs = rendering._render_runs
    parent = os.getpid()

    def stuck(htmls, *args):
        if os.getpid() != parent:
            threading.Event().wait()  # never returns: the parent gives up and kills it
        return render_runs(htmls, *args)

    monkeypatch.setattr(rendering, "_render_runs", stuck)
    with pytest.raises(RuntimeError, match="pas de résultat en 0.5 s"):
        rendering.html_to_pdf(sample())


def test_a_small_document_is_one_render(monkeypatch):
    monkeypatch.setattr(rendering, "_pdf_in_parts", lambda html: pytest.fail("rendered in parts"))
    html = sample(parts=1)
    assert len(html) < rendering.PARTS_MIN_CHARS
    assert _described(rendering.html_to_pdf(html)) == _described(_whole(html))


def test_the_body_is_cut_at_the_marks_and_shared_evenly_among_the_processes():
    html = sample(parts=3)  # a cover, then annexes of 40, 80 and 120 rows
    head, tail, runs = rendering._split(html, 2)
    body = html[len(head) : -len(tail)]
    assert head.endswith("<body>") and tail == "</body></html>"
    assert "".join(run for _worker, run in runs) == body.replace(rendering.PART_BREAK, "")
    # 120 rows on each process (the annex of 120 rows, those of 40 and 80), the cover on one of them; this
    # process (worker 0, which also draws the footers) has the lighter load.
    rows, length = {0: 0, 1: 0}, {0: 0, 1: 0}
    for worker, run in runs:
        rows[worker] += run.count("<tr>")
        length[worker] += len(run)
    assert rows == {0: 120, 1: 120} and length[0] <= length[1]
    assert rendering._split(html, 1)[2] == [(0, body.replace(rendering.PART_BREAK, ""))]
    assert len({worker for worker, _run in rendering._split(html, 8)[2]}) <= 4  # no more than parts
    assert all(run.strip() for _worker, run in rendering._split(html, 8)[2])


@pytest.mark.parametrize(
    "sizes, workers, loads",
    [
        ([32, 66, 55, 60, 45], 2, [126, 132]),  # a 500-fiche bilan's head and enjeux (kB): in order 155 + 105
        ([6, 7, 146, 143], 2, [150, 152]),  # a 500-fiche convention's body and annexes
        ([5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5], 3, [25, 25, 25]),  # too many to try every way
        ([40, 30, 30], 3, [30, 30, 40]),
    ],
)
def test_parts_are_shared_with_the_largest_load_as_small_as_can_be(sizes, workers, loads):
    owners = rendering._share(sizes, workers)
    assert sorted(rendering._loads(sizes, owners, workers)) == loads


def test_a_part_with_nothing_but_spaces_goes_with_the_next_one():
    mark = rendering.PART_BREAK
    html = f"<html><head></head><body>{mark}\n<p>Un</p>{mark}<p>Deux</p></body></html>"
    runs = rendering._split(html, 2)[2]
    assert sorted(run for _worker, run in runs) == ["\n<p>Un</p>", "<p>Deux</p>"]
    runs = rendering._split(html.replace("</body>", f"{rendering.PART_BREAK} </body>"), 2)[2]
    assert sorted(run for _worker, run in runs) == ["\n<p>Un</p>", "<p>Deux</p> "]


def test_when_this_process_fails_its_part_the_others_are_not_left_behind(parts_always, monkeypatch):
    import multiprocessing

    monkeypatch.setattr(rendering, "_can_fork", lambda: True)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    render_runs = rendering._render_runs
    parent = os.getpid()

    def failing_here(htmls, *args):
        if os.getpid() == parent:
            raise ValueError("rendu local en échec")
        threading.Event().wait()  # the other part never ends by itself
        return render_runs(htmls, *args)

    monkeypatch.setattr(rendering, "_render_runs", failing_here)
    with pytest.raises(ValueError, match="rendu local en échec"):
        rendering.html_to_pdf(sample())
    assert multiprocessing.active_children() == []


def test_the_importers_progress_bars_start_no_thread():
    """tqdm's monitor thread would outlive a progress bar and keep the job worker from forking."""
    from tqdm import tqdm

    from ctg.diagnostics import importers
    from ctg.territories import importer

    assert importers.tqdm is importer.tqdm is tqdm and tqdm.monitor_interval == 0
    before = threading.active_count()
    with tqdm(total=2, file=io.StringIO(), mininterval=0) as bar:
        bar.update(2)
    assert threading.active_count() == before
