"""Typed text, cleaned the same way everywhere: the forms (`ctg.forms.DsfrForm`), the services that take text
without a form, and the writers of files (DOCX, CSS strings of the PDF footers, email subjects).

- `clean_text(value, multiline=…)`: what is stored. Control characters are removed: the C0 controls (U+0000
  to U+001F) but tab and line breaks, DEL (U+007F), the C1 controls (U+0080 to U+009F, among them U+0085
  NEL) and the non-characters U+FFFE / U+FFFF. Line breaks are normalised to "\\n" (CRLF, CR, U+2028,
  U+2029); in a single-line field tabs and line breaks become spaces.
- `single_line(value)`: the same for a one-line use of a text already stored (an email subject).
- `xml_text(value)` / `xml_clean(value)`: the characters XML 1.0 (hence DOCX) cannot hold removed, for data
  stored before the forms cleaned them.
- `css_string(value)`: the content of a double-quoted CSS string, safe inside a <style> element.
"""

import re

# Removed from every text: C0 controls except \t \n \r, DEL, C1 controls, non-characters U+FFFE and U+FFFF.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029]")
# What XML 1.0 refuses (lone surrogates included): a DOCX writer raises on them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(value, multiline: bool = False):
    """The text without control characters; line breaks "\\n" (multi-line) or spaces (single-line).
    Anything but a string (None, a number) is returned unchanged."""
    if not isinstance(value, str):
        return value
    value = _LINE_BREAKS.sub("\n", value)
    value = _CONTROLS.sub("", value)
    if not multiline:
        value = value.replace("\n", " ").replace("\t", " ")
    return value


def single_line(value) -> str:
    """A stored text for a one-line use (an email subject): cleaned, line breaks become spaces, runs of
    white space become one."""
    return " ".join(clean_text(str(value or ""), multiline=False).split())


def xml_text(value) -> str:
    """The text without the characters XML refuses (a DOCX cell or paragraph)."""
    return _NOT_XML.sub("", str(value if value is not None else ""))


def xml_clean(value):
    """`xml_text` applied to every string of a structure of dicts, lists and tuples."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {key: xml_clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [xml_clean(item) for item in value]
    return value


def css_string(value) -> str:
    """The content of a double-quoted CSS string (`content: "…"`) inside a <style> element: backslashes and
    double quotes are escaped, "<" and ">" are written as CSS escapes ("\\3c ", "\\3e "), so that no
    "</style>" can close the element, and the text is never HTML-escaped (entities such as "&#x27;" are not
    decoded inside <style>: the apostrophe of « l'Étang » stays an apostrophe)."""
    out = []
    for char in clean_text(str(value if value is not None else ""), multiline=False):
        if char in '"\\':
            out.append("\\" + char)
        elif char in "<>":
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return "".join(out)
