"""unified-ocr where users already work: document loaders for retrieval pipelines, each thin
over the public API and behind an extra of its own (``pip install "unified-ocr[langchain]"``).
Nothing here is imported by the core; importing a module without its extra says what to install."""
