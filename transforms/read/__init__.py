"""Reading scraper output: files, folders and globs of text, HTML, JSON Lines and WARC,
optionally gzip-compressed, streamed record by record with bounded memory.

Every file yields at least one item, and every item is either a Record or a Reject
with a reason: bad input never raises.
"""

from transforms.read.decode import BadInput, UndecodableError, decode_text, declared_charset
from transforms.read.files import DEFAULT_MAX_RECORD_BYTES, detect_format, discover, file_digest, read_documents, read_file, scope

__all__ = [
    "DEFAULT_MAX_RECORD_BYTES", "BadInput", "UndecodableError", "decode_text", "declared_charset",
    "detect_format", "discover", "file_digest", "read_documents", "read_file", "scope",
]
