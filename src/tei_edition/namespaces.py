"""Namespace names shared by the writer, the exporters and the evaluator."""

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
T = f"{{{TEI_NS}}}"  # Clark notation prefix: T + "p"
NS = {"t": TEI_NS}  # XPath prefixes
XML_ID = f"{{{XML_NS}}}id"
XML_LANG = f"{{{XML_NS}}}lang"
