"""transforms.read: finding input files, reading them into records, decoding bytes."""

import hashlib
import random

import pytest

from transforms.documents import Record, Reject
from transforms.read import UndecodableError, declared_charset, decode_text, discover, read_documents


def write(path, content=b"some text\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


# --- discover -----------------------------------------------------------------


def test_discover_walks_folders_recursively_in_sorted_order(tmp_path):
    for name in ["b.txt", "a.txt", "sub/z.txt", "sub/deeper/c.html", "c.htm"]:
        write(tmp_path / name)

    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]

    assert found == ["a.txt", "b.txt", "c.htm", "sub/deeper/c.html", "sub/z.txt"]


def test_discover_skips_hidden_files_and_folders(tmp_path):
    write(tmp_path / "visible.txt")
    write(tmp_path / ".hidden.txt")
    write(tmp_path / ".git" / "config.txt")
    write(tmp_path / "sub" / ".cache" / "page.html")
    write(tmp_path / "sub" / "kept.html")

    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]

    assert found == ["sub/kept.html", "visible.txt"]


def test_discover_walks_a_folder_given_explicitly_even_inside_a_hidden_one(tmp_path):
    root = tmp_path / ".archive" / "articles"
    write(root / "a.txt")

    assert list(discover([root])) == [root / "a.txt"]


def test_discover_yields_a_file_given_directly(tmp_path):
    single = write(tmp_path / "one.txt")

    assert list(discover([single])) == [single]


def test_discover_raises_for_a_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="does-not-exist"):
        list(discover([tmp_path / "does-not-exist"]))


# --- read_documents -----------------------------------------------------------


def test_read_documents_makes_records_for_text_and_html_in_any_case(tmp_path):
    for name in ["a.txt", "b.HTML", "c.htm", "d.TxT"]:
        write(tmp_path / name, name.encode())

    results = list(read_documents([tmp_path]))

    assert all(isinstance(r, Record) for r in results)
    assert [r.document.format for r in results] == ["txt", "html", "html", "txt"]
    assert [r.content for r in results] == [b"a.txt", b"b.HTML", b"c.htm", b"d.TxT"]


def test_read_documents_rejects_unsupported_extensions(tmp_path):
    write(tmp_path / "report.pdf", b"%PDF-1.4")
    write(tmp_path / "README", b"no extension")

    results = list(read_documents([tmp_path]))

    assert all(isinstance(r, Reject) for r in results)
    assert [r.reason for r in results] == ["unsupported_format", "unsupported_format"]
    assert [r.document.format for r in results] == ["unknown", "unknown"]


def test_read_documents_sets_sha256_and_size(tmp_path):
    content = "Ein kurzer Text über Zürich.\n".encode()
    write(tmp_path / "a.txt", content)
    write(tmp_path / "b.pdf", content)

    record, reject = read_documents([tmp_path])

    for document in (record.document, reject.document):
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.bytes == len(content)


def test_doc_id_is_stable_for_a_path_and_differs_between_paths(tmp_path):
    write(tmp_path / "a.txt", b"same content")
    write(tmp_path / "b.txt", b"same content")

    first = [r.document.doc_id for r in read_documents([tmp_path])]
    second = [r.document.doc_id for r in read_documents([tmp_path])]

    assert first == second
    assert first[0] != first[1]


# --- decode_text --------------------------------------------------------------


def test_decode_text_reads_utf8():
    text = "Zoë met the mayor of Kraków — “a good day”, she said.\n"

    assert decode_text(text.encode("utf-8")) == text


def test_decode_text_drops_a_utf8_bom():
    assert decode_text("\ufeffHello, world.".encode("utf-8")) == "Hello, world."


def test_decode_text_reads_cp1252_with_accents():
    text = (
        "The new café opened on Tuesday, and for many regulars it felt like déjà vu: "
        "the same café, the same owner, the same déjà vu feeling as the old café had. "
    ) * 3
    content = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # the test only means something if UTF-8 fails

    decoded = decode_text(content)

    assert "café" in decoded and "déjà vu" in decoded
    assert decoded == text


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  "])
def test_decode_text_rejects_empty_input(content):
    with pytest.raises(UndecodableError) as error:
        decode_text(content)
    assert error.value.reason == "empty"


def test_decode_text_rejects_a_bom_with_no_text_as_empty():
    with pytest.raises(UndecodableError) as error:
        decode_text(b"\xef\xbb\xbf \n")
    assert error.value.reason == "empty"


def test_decode_text_reads_utf16_with_bom_despite_nul_bytes():
    text = "Die Fähre fährt wieder über den Fluss, sagte der Bürgermeister.\n" * 3

    assert decode_text(text.encode("utf-16")) == text


def test_decode_text_rejects_nul_bytes_as_binary():
    with pytest.raises(UndecodableError) as error:
        decode_text(b"PK\x03\x04\x00\x00some zipped stuff\x00\x00")
    assert error.value.reason == "binary"


def test_decode_text_never_returns_text_for_random_bytes():
    noise = random.Random(0).randbytes(4096)

    with pytest.raises(UndecodableError) as error:
        decode_text(noise)
    assert error.value.reason in {"binary", "undecodable"}


def test_decode_text_rejects_random_bytes_without_nul_as_undecodable():
    rng = random.Random(0)
    noise = bytes(rng.randrange(1, 256) for _ in range(4096))

    with pytest.raises(UndecodableError) as error:
        decode_text(noise)
    assert error.value.reason == "undecodable"


GREEK = "Ελληνικά νέα: η κυβέρνηση ανακοίνωσε νέα μέτρα για την οικονομία."


def test_a_declared_charset_decides_what_detection_alone_gets_wrong():
    content = GREEK.encode("iso-8859-7")

    assert decode_text(content, declared="iso-8859-7") == GREEK
    assert decode_text(content) != GREEK  # too short for detection to tell the code page


@pytest.mark.parametrize(
    "head",
    ['<meta charset="iso-8859-7">', '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-7">'],
)
def test_declared_charset_reads_both_meta_forms(head):
    assert declared_charset(f"<html><head>{head}</head>".encode()).lower() == "iso-8859-7"
    assert declared_charset(b"<html><head><title>none</title></head>") is None


JAPANESE = "東京都は木曜日、新しい防災計画を発表した。計画には避難所の増設と、川沿いの堤防の強化が含まれている。"


@pytest.mark.parametrize("declared", ["shift_jis", None])
def test_shift_jis_text_decodes_with_or_without_a_declaration(declared):
    assert decode_text((JAPANESE * 3).encode("shift_jis"), declared=declared) == JAPANESE * 3


def test_text_already_full_of_replacement_characters_is_rejected():
    damaged = "Caf\ufffd de la Paix re\ufffdoit ses clients \ufffd nouveau apr\ufffds des travaux \ufffd Paris. " * 3

    with pytest.raises(UndecodableError) as raised:
        decode_text(damaged.encode("utf-8"))

    assert raised.value.reason == "undecodable"
    assert (
        decode_text(
            "One stray \ufffd in a long and otherwise healthy sentence is kept as it is, because it is rare.".encode()
        ).count("\ufffd")
        == 1
    )
