"""Reading scraper output: files, folders and globs of text, HTML, JSON Lines and WARC,
optionally gzip-compressed, streamed record by record with bounded memory.

Every file yields at least one item, and every item is either a Record or a Reject
with a reason: bad input never raises.
"""

from transforms.read.decode import BadInput, UndecodableError, declared_charset, decode_text
from transforms.read.files import DEFAULT_MAX_RECORD_BYTES, discover, read_documents, read_file, scope
from transforms.read.formats import INPUT_FORMATS, InputFormat, detect_format, input_formats_help
from transforms.read.whole import file_digest

__all__ = [
    "DEFAULT_MAX_RECORD_BYTES",
    "INPUT_FORMATS",
    "BadInput",
    "InputFormat",
    "UndecodableError",
    "decode_text",
    "declared_charset",
    "detect_format",
    "discover",
    "file_digest",
    "input_formats_help",
    "read_documents",
    "read_file",
    "scope",
]
